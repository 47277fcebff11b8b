"""Realistic messages for the mail tests, built as bytes the way mail programs write them."""

from __future__ import annotations

import base64
from email.message import EmailMessage
from email.policy import SMTP


def raw(
    *,
    sender: str = "Bosch Service <service@bosch-home.example>",
    to: str = "Me <me@home.example>",
    subject: str = "Your repair",
    body: str = "Hello,\nthe technician comes on Tuesday.\n",
    message_id: str | None = "<m1@bosch-home.example>",
    date: str = "Tue, 03 Feb 2026 10:15:00 +0100",
    extra: dict[str, str] | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = date
    if message_id:
        msg["Message-ID"] = message_id
    for name, value in (extra or {}).items():
        msg[name] = value
    msg.set_content(body)
    return msg.as_bytes(policy=SMTP)


def handmade(headers: str, body: bytes) -> bytes:
    """A message written byte for byte (charsets and encodings as a careless mailer sends)."""
    return headers.strip("\n").replace("\n", "\r\n").encode("latin-1") + b"\r\n\r\n" + body


def qp_latin1() -> bytes:
    return handmade(
        """
From: =?ISO-8859-1?Q?J=FCrgen_M=FCller?= <juergen@miele.example>
To: me@home.example
Subject: =?ISO-8859-1?Q?R=FCckruf_f=FCr_Ihren_Geschirrsp=FCler?=
Date: Mon, 02 Feb 2026 09:00:00 +0100
Message-ID: <qp@miele.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=ISO-8859-1
Content-Transfer-Encoding: quoted-printable
""",
        b"Sehr geehrte Kundin, Ihr Ger=E4t wird gepr=FCft. Gr=FC=DFe aus M=FCnchen, mit einer=\r\n"
        b" sehr langen Zeile.\r\n",
    )


def base64_cp1252() -> bytes:
    text = "Price: 49 € – “special” offer\n".encode("cp1252")
    return handmade(
        """
From: shop@retailer.example
To: me@home.example
Subject: Invoice
Date: Mon, 02 Feb 2026 09:00:00 +0000
Message-ID: <b64@retailer.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=windows-1252
Content-Transfer-Encoding: base64
""",
        base64.encodebytes(text),
    )


def shift_jis() -> bytes:
    return handmade(
        """
From: =?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= <yamada@sony.example>
To: me@home.example
Subject: =?UTF-8?B?5L+u55CG44Gu44GU5qGI5YaF?=
Date: Mon, 02 Feb 2026 09:00:00 +0900
Message-ID: <sjis@sony.example>
Content-Type: text/plain; charset=Shift_JIS
Content-Transfer-Encoding: 8bit
""",
        "修理が完了しました。".encode("shift_jis") + b"\r\n",
    )


def broken_charset() -> bytes:
    return handmade(
        """
From: noreply@broken.example
To: me@home.example
Subject: Broken
Date: Mon, 02 Feb 2026 09:00:00 +0000
Message-ID: <broken@broken.example>
Content-Type: text/plain; charset=x-no-such-charset
Content-Transfer-Encoding: 8bit
""",
        b"caf\xc3\xa9 and a bad byte \xff here\r\n",
    )


def undecodable_utf8() -> bytes:
    return handmade(
        """
From: noreply@broken.example
To: me@home.example
Subject: Bad bytes
Date: Mon, 02 Feb 2026 09:00:00 +0000
Message-ID: <badbytes@broken.example>
Content-Type: text/plain; charset=utf-8
""",
        b"ok \xff\xfe not ok\r\n",
    )


def html_only() -> bytes:
    return handmade(
        """
From: news@retailer.example
To: me@home.example
Subject: Your order shipped
Date: Mon, 02 Feb 2026 09:00:00 +0000
Message-ID: <html@retailer.example>
Content-Type: text/html; charset=utf-8
""",
        b"<html><body><h1>Shipped</h1><p>Your <b>order 4471</b> is on its way.</p>"
        b'<img src="https://tracker.example/pixel.gif"><a href="https://retailer.example/t">'
        b"Track it</a></body></html>\r\n",
    )


def alternative_and_related(png: bytes) -> bytes:
    msg = EmailMessage()
    msg["From"] = "service@bosch-home.example"
    msg["To"] = "me@home.example"
    msg["Subject"] = "With a picture"
    msg["Date"] = "Mon, 02 Feb 2026 09:00:00 +0000"
    msg["Message-ID"] = "<related@bosch-home.example>"
    msg.set_content("The plain text wins.\n")
    msg.add_alternative("<p>The HTML loses.</p><img src='cid:logo@x'>", subtype="html")
    html = msg.get_payload()[1]
    html.add_related(png, maintype="image", subtype="png", cid="<logo@x>")
    return msg.as_bytes(policy=SMTP)


def with_attached_message() -> bytes:
    inner = EmailMessage()
    inner["From"] = "colleague@work.example"
    inner["Subject"] = "Original question"
    inner["Date"] = "Sun, 01 Feb 2026 08:00:00 +0000"
    inner.set_content("Is the dishwasher covered?\n")
    outer = EmailMessage()
    outer["From"] = "service@bosch-home.example"
    outer["To"] = "me@home.example"
    outer["Subject"] = "Fwd: Original question"
    outer["Date"] = "Mon, 02 Feb 2026 09:00:00 +0000"
    outer["Message-ID"] = "<fwd@bosch-home.example>"
    outer.set_content("See the attached message.\n")
    outer.add_attachment(inner)
    return outer.as_bytes(policy=SMTP)


def with_attachment(data: bytes, *, name: str = "manual.pdf", message_id: str = "<att@x>") -> bytes:
    msg = EmailMessage()
    msg["From"] = "service@bosch-home.example"
    msg["To"] = "me@home.example"
    msg["Subject"] = "The manual"
    msg["Date"] = "Mon, 02 Feb 2026 09:00:00 +0000"
    msg["Message-ID"] = message_id
    msg.set_content("Attached.\n")
    msg.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    return msg.as_bytes(policy=SMTP)


def malformed_headers() -> bytes:
    return handmade(
        """
From: "Unclosed <broken@@example
To: ,,,;;<>
Subject: =?utf-8?Q?half_an_encoded_word
Date: the day after tomorrow
This line is no header at all
Content-Type: text/plain; charset="utf-8
""",
        b"Still readable.\r\n",
    )


def nested(depth: int) -> bytes:
    head = (
        "From: deep@nest.example\r\nTo: me@home.example\r\nSubject: Deep\r\n"
        "Message-ID: <deep@nest.example>\r\nDate: Mon, 02 Feb 2026 09:00:00 +0000\r\n"
        "MIME-Version: 1.0\r\n"
    )
    body = "Content-Type: text/plain\r\n\r\ninnermost text\r\n"
    for level in range(depth, 0, -1):
        boundary = f"b{level}"
        body = (
            f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'
            f"--{boundary}\r\nContent-Type: text/plain\r\n\r\nlevel {level}\r\n"
            f"--{boundary}\r\n{body}\r\n--{boundary}--\r\n"
        )
    return (head + body).encode()
