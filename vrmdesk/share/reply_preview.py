"""Looking at a vendor's reply before importing it: the importer's checks, and nothing written.

The GUI asks the person about a reply (a new vendor key, a reply imported before) before it
imports anything. :func:`preview_reply` runs :func:`~vrmdesk.share.importer.check_reply` and
rolls the session back afterwards, whatever the check read or staged, so the caller's unit of
work commits nothing of it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session
from vrmshare.verify import VerifiedBundle

from vrmdesk.share.importer import ReplyCheck, check_reply


def preview_reply(session: Session, verified: VerifiedBundle) -> ReplyCheck:
    """What importing ``verified`` would ask and do (ReplyRefused if refused); writes nothing."""
    try:
        return check_reply(session, verified)
    finally:
        session.rollback()
