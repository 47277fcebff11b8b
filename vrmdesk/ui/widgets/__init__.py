"""Small widgets and helpers used across the pages: icons, accent colours, the message bar, paged
fetching, what item models share, an eliding label, and the table every list of records is shown
in."""
