"""The Vendors page: the vendor list, one vendor's page with its overview, tabs and health chart."""
