"""The Home page: what needs attention now."""
