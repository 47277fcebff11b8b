"""The Vendors page: the vendor list, one vendor's page with its overview, tabs and health chart;
the data-rights request dialog (``rights_dialog``) and requests for quotes (``quotes_dialog``:
Request quotes… and the Quotes window)."""
