"""Small widgets and helpers used across the pages: icons, accent colours, the message bar, paged
fetching, an eliding label, and the table every list of records is shown in."""
