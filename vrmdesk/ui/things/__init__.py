"""The Things page: every thing I own, and one thing's panel with its warranties, registrations and
service history."""
