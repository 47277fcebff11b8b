"""The Tickets page: every ticket across vendors, filtered and sorted, and one ticket's view.

``model.py`` is the list (a page of ``services.tickets.ticket_page`` at a time, its count, its
columns fitted to the width); ``ticket_view.py`` shows one ticket (state, case reference,
follow-up, vendor and thing, its conversation newest last); ``log_dialog.py`` records a call or
a message on it and changes its state and follow-up date in the same step; ``page.py`` puts the
filters, the list and the view together. Quick capture (Ctrl+I) is in ``ui/editors``.
"""
