"""Exporting a share bundle: collect the slice, build the manifest and page, write, then log it.

:func:`export_bundle` is the one call the wizard, the command line and a re-export make::

    result = export_bundle(vault, selection, terms, Path("bosch.vrmshare"))

It reads what to share in one short session, writes the bundle outside any session (files stream
from the attachment store into the ZIP through :func:`vrmshare.format.write_bundle`), and
only then records the :class:`~vrmdesk.store.models.Disclosure` in a second session. If writing
fails (a folder that cannot be written, an attachment whose content is missing, a cancel) no
file is left and nothing is logged; if logging fails the file is removed again, so there is never
a bundle out in the world that the log does not know of.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from vrmshare import format as fmt
from vrmshare import layout
from vrmshare.errors import BundleError
from vrmshare.fileutil import ByteSink, check_regular, is_disk_full, storage_error
from vrmshare.terms import Terms
from vrmshare.text import has_lone_surrogate

from vrmdesk.errors import AttachmentError, ValidationError, VaultLocked
from vrmdesk.share import htmlpage
from vrmdesk.share.identity import ensure_identity
from vrmdesk.share.in_force import with_agreement
from vrmdesk.share.slice import Preview, Selection, Slice, SliceRecord, collect
from vrmdesk.store import models as m
from vrmdesk.store.services import settings as vault_settings

if TYPE_CHECKING:
    from vrmdesk.store.attachments import AttachmentStore
    from vrmdesk.store.vault import Vault

SENDER_NAME_KEY = vault_settings.SENDER_NAME_KEY

#: progress(done_bytes, total_bytes, text)
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class ExportResult(fmt.WrittenBundle):
    """The bundle written, with what went into it and the disclosure that logs it."""

    records: int
    files: int
    disclosure_id: int
    fingerprint: str  # my signing key, grouped for reading aloud
    encrypted_to: str


@dataclass
class Prepared:
    """Everything of an export that is decided before a byte is written."""

    slice: Slice
    manifest: dict[str, Any]
    files: list[fmt.BundleFile]
    signing_key: fmt.SigningKey
    fingerprint: str
    created: str
    #: the terms as written: with the MyTerms agreement in force with the vendor, if any
    terms: Terms | None = None


# -- settings ---------------------------------------------------------------------------------
def sender_name(session: Session) -> str:
    """My name as sender (Settings → Defaults), or "" while none is given."""
    return vault_settings.sender_name(session)


def set_sender_name(session: Session, name: str) -> None:
    vault_settings.set_sender_name(session, name)


def _check_text(name: str) -> None:
    if has_lone_surrogate(name):
        raise ValidationError(
            "The sender name is not valid text (bytes that are not UTF-8?).", field="sender_name"
        )


NO_SENDER = (
    "Give your name as the vendor should see it first: in Settings (Defaults), in the share "
    "wizard, or with --sender-name."
)


def now_created() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_created(created: str) -> datetime:
    try:
        value = datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        raise ValidationError(
            f"{created!r} is not a time as YYYY-MM-DDTHH:MM:SSZ (UTC).", field="created"
        ) from None
    return value


def bundle_path(out_path: Path, encrypt_to: str | None) -> Path:
    """Where :func:`export_bundle` writes for ``out_path``: exactly that path if its name has a
    suffix, else with ``.vrmshare`` (``.vrmshare.age`` when encrypted) added.

    Raises ValidationError (field ``path``) for what names no file (``/``, ``.``, ``..``, only
    spaces), so the wizard can show it under the field.
    """
    try:
        return fmt.output_path(out_path, bool(encrypt_to))
    except ValueError as exc:
        raise ValidationError(f"Give a file name for the bundle: {exc}.", field="path") from None


# -- building ---------------------------------------------------------------------------------
def prepare(
    session: Session,
    vault: Vault,
    selection: Selection,
    terms: Terms,
    *,
    created: str | None = None,
    sender: str | None = None,
    extra: Sequence[SliceRecord] = (),
) -> Prepared:
    """Collect the slice and build the manifest, the page and the file list (no writing).

    ``extra``: records that are not rows of the vault's records but go along (a quote
    request's ``vrm:QuoteRequest``); they are shown, signed and logged like the others."""
    created = created or now_created()
    on = _parse_created(created).date()
    the_slice = collect(session, vault, selection, on=on)
    terms = with_agreement(session, the_slice.vendor_id, terms)
    the_slice.records[:0] = extra
    identity = ensure_identity(session)
    name = (sender or "").strip() or sender_name(session)
    if not name:
        raise ValidationError(NO_SENDER, field="sender_name")
    _check_text(name)
    preview = the_slice.preview()
    page = htmlpage.render(
        sender_name=name,
        sender_fingerprint=identity.fingerprint,
        recipient_name=the_slice.vendor_name,
        created=created,
        terms=terms,
        preview=preview,
        file_hashes={f.path: f.sha256 for f in the_slice.files},
    )
    files = [fmt.BundleFile.from_bytes(layout.INDEX_NAME, page, "text/html")]
    store = vault.attachments
    for f in the_slice.files:
        att = f.attachment
        files.append(
            fmt.BundleFile(
                f.path,
                att.media_type,
                att.size,
                att.sha256,
                partial(_stream_attachment, store, att),
                name=att.name,
                about=f.about,
                checks_itself=True,  # the store checks each content's SHA-256 as it decrypts
            )
        )
    manifest: dict[str, Any] = {
        "format": layout.FORMAT,
        "created": created,
        "sender": {"name": name, "key": identity.public_jwk()},
        "recipient": {"name": the_slice.vendor_name, "id": the_slice.vendor_uid},
        "purpose": terms.purpose,
        "purpose_note": terms.purpose_note,
        "terms": terms.manifest_terms(),
        "in_reply_to": None,
        "records": the_slice.manifest_records(),
        "redacted": the_slice.redacted,
    }
    return Prepared(
        the_slice, manifest, files, identity.private_key, identity.fingerprint, created, terms
    )


def _stream_attachment(store: AttachmentStore, att: m.Attachment, writer: ByteSink) -> None:
    """The attachment's plaintext into ``writer``, refusing content that is not a regular file.

    The vault folder holds only regular files; one replaced by a link (to ``/dev/zero``, say)
    would have the decryption read forever.
    """
    check_regular(
        store.path_of(att.blob_name),
        AttachmentError,
        f"the content of {att.name!r} in the vault folder",
        follow=False,
    )
    store.write_to(att, writer)


def export_bundle(
    vault: Vault,
    selection: Selection,
    terms: Terms,
    out_path: Path,
    *,
    created: str | None = None,
    sender: str | None = None,
    encrypt_to: str | None = None,
    progress: Progress | None = None,
    shown: Preview | None = None,
    extra: Sequence[SliceRecord] = (),
) -> ExportResult:
    """Write the bundle for ``selection`` to ``out_path`` (see :func:`bundle_path`), then log it.

    ``shown`` is the preview the person approved: if the records changed since (an edit in
    another window), nothing is written and they are asked to look again.

    ``progress(done, total, text)`` is called as files are copied; whatever it raises (a
    cancel) stops the export, leaving no file and no log entry.
    """
    if not vault.writable:
        raise VaultLocked("This vault was opened read-only; exporting needs to log the export.")
    encrypt_to = (encrypt_to or "").strip() or None
    path = bundle_path(out_path, encrypt_to)
    if not path.parent.is_dir():
        raise BundleError(f"The folder {path.parent} does not exist.")
    with vault.session() as session:
        prepared = prepare(
            session, vault, selection, terms, created=created, sender=sender, extra=extra
        )
    if shown is not None and prepared.slice.preview() != shown:
        raise BundleError(
            "What would leave has changed since the preview (a record was edited meanwhile). "
            "Look at the preview again."
        )
    # files stream outside any session: a long export holds no database transaction open
    written = _write(prepared, path, encrypt_to, progress)
    try:
        with vault.session() as session:
            disclosure_id = _log(
                session, prepared, selection, prepared.terms or terms, written, encrypt_to
            )
    except BaseException:
        written.path.unlink(missing_ok=True)
        raise
    return ExportResult(
        path=written.path,
        sha256=written.sha256,
        bundle_id=written.bundle_id,
        size=written.size,
        records=len(prepared.slice.records),
        files=len(prepared.slice.files),
        disclosure_id=disclosure_id,
        fingerprint=prepared.fingerprint,
        encrypted_to=encrypt_to or "",
    )


def _write(
    prepared: Prepared, path: Path, encrypt_to: str | None, progress: Progress | None
) -> fmt.WrittenBundle:
    current = {"name": ""}
    files = []
    for f in prepared.files:

        def opener(writer: ByteSink, f: fmt.BundleFile = f) -> None:
            current["name"] = f.name or f.path_in_zip
            if progress is not None:
                progress(-1, -1, f"Writing {current['name']}")
            f.opener(writer)

        files.append(replace(f, opener=opener))

    def report(done: int, total: int, text: str) -> None:
        if progress is not None:
            progress(done, total, text or (f"Writing {current['name']}" if current["name"] else ""))

    try:
        return fmt.write_bundle(
            prepared.manifest,
            files,
            prepared.signing_key,
            path,
            encrypt_to=encrypt_to,
            progress=report,
        )
    except OSError as exc:
        if is_disk_full(exc):
            raise storage_error(exc, f"writing the bundle {path}") from None
        reason = exc.strerror or str(exc)
        raise BundleError(f"The bundle could not be written to {path}: {reason}.") from None
    except ValueError as exc:  # the format layer refusing the input (too many files …)
        raise BundleError(f"The bundle could not be built: {exc}.") from None


def _log(
    session: Session,
    prepared: Prepared,
    selection: Selection,
    terms: Terms,
    written: fmt.WrittenBundle,
    encrypt_to: str | None,
) -> int:
    the_slice = prepared.slice
    existing = session.scalar(
        select(m.Disclosure).where(m.Disclosure.bundle_id == written.bundle_id)
    )
    if existing is not None:
        # the very same bundle (same input, same created time) given out again
        existing.path = str(written.path)
        existing.bundle_sha256 = written.sha256
        existing.encrypted_to = encrypt_to or ""
        session.flush()
        return existing.id
    row = m.Disclosure(
        vendor_id=the_slice.vendor_id,
        vendor_name=the_slice.vendor_name,
        bundle_id=written.bundle_id,
        bundle_created=_parse_created(prepared.created),
        purpose=terms.purpose,
        terms=terms.to_json(),
        contents=the_slice.contents(),
        files=the_slice.file_log(),
        redacted=the_slice.redacted,
        selection=selection.to_json(),
        bundle_sha256=written.sha256,
        encrypted_to=encrypt_to or "",
        path=str(written.path),
    )
    session.add(row)
    session.flush()
    return row.id
