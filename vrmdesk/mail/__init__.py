"""Mail capture: e-mail from files, mail folders and IMAP onto the vendors' timelines.

    mime.py        a message walked as it streams: headers by ``email``, bodies decoded per line
    parse.py       what a message says: its envelope, its text (charsets, HTML), its files
    addresses.py   my own addresses, and which vendor an address belongs to
    references.py  case references in subjects (a vendor's pattern, or the usual forms)
    capture.py     one message into the vault (once only), and imports in batches
    sources.py     .eml files, mbox files and Maildir folders as streams of messages
    sorting.py     the Unsorted list (assign, learn a domain, dismiss), reclassify, open a ticket

It sits beside ``interchange``: it uses the store's services and never imports Qt or the cli.
"""
