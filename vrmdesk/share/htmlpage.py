"""index.html: the bundle as a page a person reads in any browser.

Self-contained (inline CSS, no scripts, no external resources), every value HTML-escaped, the
terms first and prominent, then each record field by field and each file. It is built from the
same :class:`~vrmdesk.share.slice.Preview` the wizard shows, so the page holds exactly the
fields that are in manifest.json and nothing that was redacted. It names no bundle id: the page
is listed (with its hash) in the manifest from which that id is computed.
"""

from __future__ import annotations

from html import escape

from vrmshare.terms import Terms

from vrmdesk.share.slice import Preview
from vrmdesk.store.attachments import format_size

CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2228;
background:#f4f5f7;margin:0;padding:24px}
main{max-width:860px;margin:0 auto}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:17px;margin:28px 0 10px}
.meta{color:#555;margin:0 0 18px}
.terms{background:#fff8e1;border:2px solid #e0a800;border-radius:8px;padding:14px 18px}
.terms h2{margin:0 0 8px}
.card{background:#fff;border:1px solid #d8dce1;border-radius:8px;padding:10px 16px;margin:0 0 12px}
.card h3{font-size:15px;margin:2px 0 6px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;vertical-align:top;padding:3px 10px 3px 0}
th{color:#555;font-weight:600;width:34%;word-break:break-word}
td{white-space:pre-wrap;word-break:break-word}
.files td,.files th{border-top:1px solid #e5e7ea;padding:5px 10px 5px 0}
.files th{width:auto}
code{font:12px ui-monospace,Menlo,Consolas,monospace;color:#444;word-break:break-all}
.note{color:#555;font-size:13px}
""".strip()


def render(
    *,
    sender_name: str,
    sender_fingerprint: str,
    recipient_name: str,
    created: str,
    terms: Terms,
    preview: Preview,
    file_hashes: dict[str, str] | None = None,
) -> bytes:
    """The page as UTF-8 bytes; the same input gives the same bytes."""
    e = escape
    hashes = file_hashes or {}
    out: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src 'none'\">",
        f"<title>Shared with {e(recipient_name)} by {e(sender_name)}</title>",
        f"<style>{CSS}</style></head><body><main>",
        f"<h1>Shared with {e(recipient_name)}</h1>",
        f'<p class="meta">From {e(sender_name)} · {e(created)} · signing key '
        f"<code>{e(sender_fingerprint)}</code></p>",
        '<section class="terms"><h2>Terms of use</h2><table>',
    ]
    for label, value in terms.describe():
        out.append(f"<tr><th>{e(label)}</th><td>{e(value)}</td></tr>")
    out.append("</table></section>")
    if preview.redacted:
        out.append(f'<p class="note">Left out on purpose: {e(", ".join(preview.redacted))}.</p>')

    out.append(f"<h2>Records ({len(preview.records)})</h2>")
    for record in preview.records:
        out.append(f'<section class="card"><h3>{e(record.label)}</h3><table>')
        for key, value in record.fields:
            out.append(f"<tr><th>{e(key)}</th><td>{e(value)}</td></tr>")
        out.append("</table></section>")

    out.append(f"<h2>Files ({len(preview.files)})</h2>")
    if preview.files:
        out.append(
            '<section class="card"><table class="files">'
            "<tr><th>File</th><th>About</th><th>Type</th><th>Size</th></tr>"
        )
        for f in preview.files:
            digest = hashes.get(f.path, "")
            sha = f"<br><code>SHA-256 {e(digest)}</code>" if digest else ""
            out.append(
                f'<tr><td><a href="{e(f.path, quote=True)}">{e(f.name)}</a>{sha}</td>'
                f"<td>{e(f.about)}</td><td>{e(f.media_type)}</td><td>{e(format_size(f.size))}</td></tr>"
            )
        out.append("</table></section>")
    else:
        out.append('<p class="note">No files.</p>')
    out.append(
        '<p class="note">This page is part of a signed vrmshare/1 bundle; manifest.json holds the '
        "same records as data and manifest.jws its signature.</p>"
    )
    out.append("</main></body></html>")
    return ("\n".join(out) + "\n").encode("utf-8")
