"""Small widgets and helpers used across the pages: icons, accent colours, the message bar, paged
fetching, what item models share, an eliding label, and the table every list of records is shown
in; the interface's one vocabulary (``words``), its one date style (``dates``, chosen in
Settings through ``date_format_box``) and its buttons (``buttons``: no stock icons on dialog
buttons, questions answered by the action's name)."""
