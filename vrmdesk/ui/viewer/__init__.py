"""The vendor's side of the application: a share bundle read without a vault.

    window.py      BundleViewer: verifies a bundle off the UI thread, then shows the verified
                   sender (fingerprint, safety number), purpose, terms, records and files, or a
                   red state with the verifier's reason; asks for an age identity when encrypted
    reply_form.py  ReplyDialog: a vendor's signed reply (messages, case reference, status,
                   warranty confirmation, corrections), written off the UI thread

``vrmdesk FILE.vrmshare`` (a double-click) opens a bundle here unless it is a reply to me, which
goes to the import (``ui/share/import_reply``); File ▸ Open a bundle… opens one from the window.
Nothing here opens a vault or loads the database library.
"""
