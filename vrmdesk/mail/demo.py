"""A few e-mails for the demo vault, imported through mail capture as real mail would be.

None of their senders is an e-mail channel of a demo vendor yet, so they wait on the Unsorted
page: a repair confirmation from Bosch's service domain (assign it and learn the domain: the
reminder from the same domain moves too), a newsletter, and a letter from the electricity
supplier nobody has recorded as a vendor.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from typing import BinaryIO

from vrmdesk.mail import capture
from vrmdesk.store.vault import Vault

#: sender, subject, text, days ago, extra headers
MESSAGES: list[tuple[str, str, str, int, dict[str, str]]] = [
    (
        "Bosch Kundendienst <kundendienst@service.bosch-home.example>",
        "Your repair appointment [Case #48213]",
        "Hello,\n\nour technician will visit on Tuesday between 8:00 and 12:00 to look at the "
        "dishwasher's drain pump. Please keep the appliance accessible.\n\nYour Bosch service",
        3,
        {},
    ),
    (
        "Bosch Kundendienst <termine@service.bosch-home.example>",
        "Reminder: technician visit tomorrow",
        "This is a reminder of tomorrow's visit (case 48213). Reply to this message to move it.",
        1,
        {},
    ),
    (
        "Stadtwerke Nord <abrechnung@stadtwerke-nord.example>",
        "Your electricity bill for last month",
        "Dear customer,\n\nyour bill of 64.20 EUR is attached to your customer account. The "
        "monthly instalment stays at 65 EUR.",
        6,
        {},
    ),
    (
        "Fahrradhaus Meier <news@fahrradhaus-meier.example>",
        "Spring service weeks: 20% off every inspection",
        "Get your bike ready for spring: book an inspection before the end of the month.",
        9,
        {"List-Unsubscribe": "<mailto:unsubscribe@fahrradhaus-meier.example>"},
    ),
]


def _message(
    n: int, sender: str, subject: str, text: str, when: datetime, extra: dict[str, str]
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "Me <me@home.example>"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = f"<demo-{n}@vrmdesk.example>"
    for name, value in extra.items():
        msg[name] = value
    msg.set_content(text + "\n")
    return msg.as_bytes(policy=SMTP)


def _opener(data: bytes) -> Callable[[], BinaryIO]:
    return lambda: io.BytesIO(data)


def add_demo_mail(vault: Vault, now: datetime | None = None) -> capture.Outcome:
    """Import the demo messages into ``vault`` (again: nothing changes, they are stored once)."""
    now = (now or datetime.now().astimezone()).replace(microsecond=0)
    raw = [
        _message(n, sender, subject, text, now - timedelta(days=days, hours=n), extra)
        for n, (sender, subject, text, days, extra) in enumerate(MESSAGES, 1)
    ]
    messages = [(f"demo message {n}", _opener(data)) for n, data in enumerate(raw, 1)]
    return capture.import_messages(vault, messages)
