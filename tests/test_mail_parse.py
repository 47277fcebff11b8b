"""Parsing captured mail: charsets, transfer encodings, encoded words, HTML-only, related and
attached parts, big attachments streamed, broken input never a crash."""

from __future__ import annotations

import os
from pathlib import Path

import mail_corpus as corpus
import pytest

from vrmdesk.mail import capture, mime, sources
from vrmdesk.store import models as m
from vrmdesk.store.attachments import AttachmentStore
from vrmdesk.store.services import records
from vrmdesk.store.vault import Vault

PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(300)


@pytest.fixture
def vendors(vault: Vault) -> dict[str, int]:
    made = {}
    with vault.session() as s:
        for name, domain in [
            ("Bosch", "@bosch-home.example"),
            ("Miele", "miele.example"),
            ("Retailer", "retailer.example"),
            ("Sony", "@sony.example"),
            ("Broken", "broken.example"),
            ("Nest", "nest.example"),
        ]:
            vendor = records.create(s, m.Vendor, name=name)
            records.create(s, m.Channel, vendor_id=vendor.id, channel="email", value=domain)
            made[name] = vendor.id
    return made


def import_bytes(vault: Vault, tmp_path: Path, data: bytes, name: str = "m.eml"):
    path = tmp_path / name
    path.write_bytes(data)
    return capture.import_messages(vault, sources.messages_of(path))


def only_interaction(vault: Vault) -> m.Interaction:
    with vault.session() as s:
        (interaction,) = s.query(m.Interaction).all()
        s.expunge(interaction)
        return interaction


def test_quoted_printable_latin1_and_encoded_words(vault, vendors, tmp_path):
    outcome = import_bytes(vault, tmp_path, corpus.qp_latin1())
    assert (outcome.imported, outcome.problems) == (1, [])
    it = only_interaction(vault)
    assert it.subject == "Rückruf für Ihren Geschirrspüler"
    assert "Ihr Gerät wird geprüft. Grüße aus München, mit einer sehr langen Zeile." in it.body
    assert it.vendor_id == vendors["Miele"] and it.direction == m.Direction.INBOUND
    assert it.correspondent == "juergen@miele.example" and it.capture_notes == ""
    assert it.message_id == "<qp@miele.example>"


def test_base64_windows_1252(vault, vendors, tmp_path):
    import_bytes(vault, tmp_path, corpus.base64_cp1252())
    assert only_interaction(vault).body == "Price: 49 € – “special” offer"


def test_shift_jis_body_and_iso_2022_jp_name(vault, vendors, tmp_path):
    import_bytes(vault, tmp_path, corpus.shift_jis())
    it = only_interaction(vault)
    assert it.body == "修理が完了しました。" and it.subject == "修理のご案内"


def test_an_unknown_charset_and_undecodable_bytes_are_noted_not_fatal(vault, vendors, tmp_path):
    import_bytes(vault, tmp_path, corpus.broken_charset(), "a.eml")
    import_bytes(vault, tmp_path, corpus.undecodable_utf8(), "b.eml")
    with vault.session() as s:
        broken, bad = s.query(m.Interaction).order_by(m.Interaction.id).all()
        assert broken.body.startswith("café and a bad byte \ufffd")
        assert "Unknown charset 'x-no-such-charset'" in broken.capture_notes
        assert bad.body == "ok \ufffd\ufffd not ok"
        assert "2 bytes of text did not decode as utf-8" in bad.capture_notes


def test_html_only_mail_becomes_readable_text_without_fetching(vault, vendors, tmp_path):
    import_bytes(vault, tmp_path, corpus.html_only())
    body = only_interaction(vault).body
    assert "# Shipped" in body and "**order 4471**" in body
    assert "[Track it](https://retailer.example/t)" in body
    assert "pixel.gif" not in body and "<p>" not in body


def test_alternative_prefers_plain_and_related_images_are_files(vault, vendors, tmp_path):
    import_bytes(vault, tmp_path, corpus.alternative_and_related(PNG))
    it = only_interaction(vault)
    assert it.body == "The plain text wins." and "HTML" not in it.body
    with vault.session() as s:
        (image,) = AttachmentStore.for_owner(s, s.get(m.Interaction, it.id))
        assert image.media_type == "image/png" and image.name == "logo.png"
        assert vault.attachments.read_bytes(image) == PNG


def test_an_attached_message_is_kept_as_eml_and_told_in_the_text(vault, vendors, tmp_path):
    import_bytes(vault, tmp_path, corpus.with_attached_message())
    it = only_interaction(vault)
    assert it.body.startswith("See the attached message.")
    assert "[Attached message: Original question — from colleague@work.example" in it.body
    with vault.session() as s:
        (eml,) = AttachmentStore.for_owner(s, s.get(m.Interaction, it.id))
        assert eml.media_type == "message/rfc822"
        assert b"Is the dishwasher covered?" in vault.attachments.read_bytes(eml)


def test_an_attachment_over_the_cap_is_left_out_with_a_note(vault, vendors, tmp_path):
    path = tmp_path / "big.eml"
    path.write_bytes(corpus.with_attachment(os.urandom(200_000)))
    capture.import_messages(vault, sources.messages_of(path), max_file_size=100_000)
    it = only_interaction(vault)
    assert "The attachment 'manual.pdf' is larger than 98 KB and was left out." in it.capture_notes
    with vault.session() as s:
        assert AttachmentStore.for_owner(s, s.get(m.Interaction, it.id)) == []


def test_a_30_mb_attachment_streams_into_the_vault(vault, vendors, tmp_path):
    """Stored whole and byte-exact, with the memory Python allocates far under the file's size
    (email.parser peaks at several times it)."""
    import hashlib
    import tracemalloc

    data = os.urandom(30 * 1024 * 1024)
    path = tmp_path / "big.eml"
    path.write_bytes(corpus.with_attachment(data))
    digest = hashlib.sha256(data).hexdigest()
    del data
    tracemalloc.start()
    try:
        outcome = capture.import_messages(vault, sources.messages_of(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert outcome.imported == 1
    assert peak < 3 * 30 * 1024 * 1024 and peak < 16 * 1024 * 1024, peak
    with vault.session() as s:
        (pdf,) = s.query(m.Attachment).filter(m.Attachment.owner_kind == "interaction").all()
        assert (pdf.name, pdf.size, pdf.sha256) == ("manual.pdf", 30 * 1024 * 1024, digest)


def test_a_message_without_message_id_gets_a_digest_and_is_stored_once(vault, vendors, tmp_path):
    data = corpus.raw(message_id=None)
    first = import_bytes(vault, tmp_path, data, "a.eml")
    again = import_bytes(vault, tmp_path, data, "b.eml")
    assert (first.imported, again.imported, again.duplicates) == (1, 0, 1)
    assert only_interaction(vault).message_id.startswith("digest:")


def test_malformed_headers_are_read_as_far_as_they_go(vault, tmp_path):
    outcome = import_bytes(vault, tmp_path, corpus.malformed_headers())
    assert outcome.problems == [] and outcome.unsorted == 1
    with vault.session() as s:
        (mail,) = s.query(m.UnsortedMail).all()
        assert "no date" in mail.capture_notes
        assert mail.subject.startswith("=?utf-8?Q?half")


def test_deep_nesting_is_refused_and_leaves_nothing(vault, vendors, tmp_path):
    ok = import_bytes(vault, tmp_path, corpus.nested(mime.MAX_DEPTH - 1), "ok.eml")
    assert ok.imported == 1
    assert "innermost text" in only_interaction(vault).body
    deep = corpus.nested(mime.MAX_DEPTH + 5).replace(b"<deep@", b"<deeper@")
    refused = import_bytes(vault, tmp_path, deep, "deep.eml")
    assert refused.imported == 0
    (problem,) = refused.problems
    assert "nested more than 20 levels" in problem.reason
    with vault.session() as s:
        assert s.query(m.Interaction).count() == 1


def test_a_file_that_is_no_mail_is_a_problem_not_a_crash(vault, tmp_path):
    outcome = import_bytes(vault, tmp_path, b"", "empty.eml")
    assert outcome.imported == 0 and "not an e-mail message" in outcome.problems[0].reason
