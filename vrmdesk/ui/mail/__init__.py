"""Mail in the desktop application: File → Import mail… and mail files dropped on a vendor
(``importing``), the Unsorted page and its Assign dialog (``unsorted_page``, ``assign_dialog``),
what can be done with a captured message (``message_actions``: offer or conversation, a ticket
from it, Write e-mail), the mail settings (``settings_box``) and the fetch timer (``fetching``).

The work is the core's (``vrmdesk.mail``); these widgets reach it through the controller.
"""
