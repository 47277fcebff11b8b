"""Mail fetched from IMAP accounts: read only, incremental, a dropped connection survived.

Connecting: IMAPS, or plain IMAP upgraded with STARTTLS; the server's certificate is checked
against the system's trust store (``ssl.create_default_context()``). A certificate that fails
is refused with its SHA-256 fingerprint shown; an account that trusts a fingerprint accepts
exactly the certificate with that fingerprint (the DER's SHA-256; host name and chain are not
checked then, the fingerprint is the whole of the trust). Every socket has a timeout.

Reading never changes the server: folders are opened with EXAMINE, messages fetched with
``BODY.PEEK[]`` (no \\Seen flag set); nothing is stored, copied, expunged or flagged.

Incremental: per folder, UIDVALIDITY and the last UID stored. A changed UIDVALIDITY means the
server numbered the folder anew: it is fetched from the start, and what is stored already is
skipped by its Message-ID (capture's once-only rule). Messages are stored one transaction per
batch, and the folder's last UID moves in that same transaction, so a connection dropped half-way
leaves whole batches, nothing of the one under way, and the next fetch goes on from there.

Memory: small messages come a few at a time (up to ``GROUP_BYTES`` per command) and are read
from memory; a message larger than ``CHUNK`` is fetched in pieces of ``CHUNK`` bytes into a
temporary file (unnamed, in a private folder) and read from there, so it is never held whole.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import imaplib
import io
import re
import shutil
import ssl
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar

from sqlalchemy import select

from vrmdesk.errors import VrmError
from vrmdesk.mail import accounts, capture, sources
from vrmdesk.mail.accounts import Settings, format_fingerprint
from vrmdesk.store import models as m

if TYPE_CHECKING:
    from vrmdesk.store.vault import Vault

TIMEOUT = 30.0
BATCH = capture.BATCH
CHUNK = 1024 * 1024
GROUP_BYTES = 4 * 1024 * 1024

#: progress(done, total, text): messages fetched so far, of how many known so far
Progress = Callable[[int, int, str], None]
T = TypeVar("T")


class ImapError(VrmError):
    """An IMAP account could not be fetched (unreachable, refused, the connection lost)."""


class LoginRefused(ImapError):
    pass


class UntrustedCertificate(ImapError):
    def __init__(self, message: str, fingerprint: str) -> None:
        super().__init__(message)
        self.fingerprint = fingerprint


class ConnectionLost(ImapError):
    pass


class AccountProblem(capture.Problem):
    """A whole account that could not be fetched (its reason is an :class:`ImapError`'s)."""


# -- connecting ----------------------------------------------------------------------------------
def _context(s: Settings) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if s.trusted_fingerprint:
        # the fingerprint decides, compared after the handshake; nothing else is checked
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _open(s: Settings, context: ssl.SSLContext, timeout: float) -> imaplib.IMAP4:
    if not s.starttls:
        return imaplib.IMAP4_SSL(s.host, s.port, ssl_context=context, timeout=timeout)
    imap = imaplib.IMAP4(s.host, s.port, timeout=timeout)
    try:
        imap.starttls(ssl_context=context)
    except imaplib.IMAP4.abort:
        _close(imap)
        raise
    except imaplib.IMAP4.error as exc:
        _close(imap)
        raise ImapError(
            f"{s.host}:{s.port} does not offer STARTTLS ({exc}); without it nothing is sent. "
            "Use its IMAPS port (usually 993) without --starttls."
        ) from None
    except BaseException:
        _close(imap)
        raise
    return imap


def _peer_certificate(imap: imaplib.IMAP4) -> bytes:
    sock = imap.sock
    der = sock.getpeercert(binary_form=True) if isinstance(sock, ssl.SSLSocket) else None
    return der or b""


def server_fingerprint(s: Settings, timeout: float = TIMEOUT) -> str:
    """The SHA-256 of the server's certificate, read without trusting it (nothing is sent)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    imap = _open(s, context, timeout)
    try:
        return hashlib.sha256(_peer_certificate(imap)).hexdigest()
    finally:
        _close(imap)


def _untrusted(s: Settings, reason: str, timeout: float) -> UntrustedCertificate:
    try:
        fingerprint = server_fingerprint(s, timeout)
    except (OSError, imaplib.IMAP4.error, ImapError):
        fingerprint = ""
    shown = format_fingerprint(fingerprint) if fingerprint else "(it could not be read)"
    return UntrustedCertificate(
        f"The certificate of {s.host} is not trusted ({reason}). Its SHA-256 fingerprint is "
        f"{shown}. If that is your server's (compare it with what your provider or the "
        f"server's administrator shows), trust exactly this certificate with "
        f"--trust-fingerprint {fingerprint or 'SHA256'} when adding the account.",
        fingerprint,
    )


def connect(s: Settings, timeout: float = TIMEOUT) -> imaplib.IMAP4:
    """A logged-in connection, or an :class:`ImapError` that says what went wrong."""
    where = f"{s.host}:{s.port}"
    try:
        imap = _open(s, _context(s), timeout)
    except ssl.SSLCertVerificationError as exc:
        raise _untrusted(s, exc.verify_message or exc.reason or str(exc), timeout) from None
    except ssl.SSLError as exc:
        hint = "" if s.starttls else "; if that port wants STARTTLS, add the account with it"
        raise ImapError(f"TLS with {where} failed ({exc.reason or exc}){hint}.") from None
    except TimeoutError:
        raise ImapError(f"{where} did not answer within {timeout:g} s.") from None
    except OSError as exc:
        raise ImapError(f"Cannot reach {where} ({exc.strerror or exc}).") from None
    except imaplib.IMAP4.error as exc:
        raise ImapError(f"{where} does not speak IMAP as expected ({exc}).") from None
    try:
        if s.trusted_fingerprint:
            seen = hashlib.sha256(_peer_certificate(imap)).hexdigest()
            if seen != s.trusted_fingerprint:
                raise UntrustedCertificate(
                    f"The certificate of {s.host} is not the one this account trusts: its "
                    f"SHA-256 fingerprint is {format_fingerprint(seen)}, the account trusts "
                    f"{format_fingerprint(s.trusted_fingerprint)}. If the server's certificate "
                    "was renewed, remove the account and add it with --trust-fingerprint "
                    f"{seen}.",
                    seen,
                )
        _login(imap, s)
    except BaseException:
        _close(imap)
        raise
    return imap


def _login(imap: imaplib.IMAP4, s: Settings) -> None:
    refused = LoginRefused(f"The server refused the user name or password for {s.label}.")
    try:
        if "AUTH=PLAIN" in imap.capabilities:  # PLAIN carries a password in UTF-8, LOGIN not
            secret = f"\0{s.user}\0{s.password}".encode()
            imap.authenticate("PLAIN", lambda _challenge: secret)
        else:
            imap.login(s.user, s.password)
    except imaplib.IMAP4.abort as exc:
        raise ConnectionLost(f"The connection to {s.host} was lost at login ({exc}).") from None
    except imaplib.IMAP4.error:
        raise refused from None
    except UnicodeEncodeError:
        raise refused from None
    except OSError as exc:
        raise ConnectionLost(f"The connection to {s.host} was lost at login ({exc}).") from None


def _close(imap: imaplib.IMAP4) -> None:
    with contextlib.suppress(Exception):
        imap.shutdown()


def check(s: Settings, timeout: float = TIMEOUT) -> list[str]:
    """Log in and examine every folder: the folders that do not exist (empty: all is well)."""
    imap = connect(s, timeout)
    try:
        session = _Folders(imap, s)
        return [f for f in s.folders if session.examine(f) is None]
    finally:
        _logout(imap)


def _logout(imap: imaplib.IMAP4) -> None:
    with contextlib.suppress(Exception):
        imap.logout()
    _close(imap)


# -- folders and messages ------------------------------------------------------------------------
def encode_folder(name: str) -> str:
    """A folder name as IMAP wants it: modified UTF-7 (RFC 3501 5.1.3), then quoted."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            data = "".join(pending).encode("utf-16-be")
            out.append("&" + base64.b64encode(data).decode().rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            pending.append(ch)
    flush()
    text = "".join(out)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def uid_set(uids: list[int]) -> str:
    """``1:5,8,10:12`` for the sorted UIDs given."""
    parts: list[str] = []
    start = prev = uids[0]
    for uid in uids[1:]:
        if uid == prev + 1:
            prev = uid
            continue
        parts.append(f"{start}:{prev}" if start != prev else str(start))
        start = prev = uid
    parts.append(f"{start}:{prev}" if start != prev else str(start))
    return ",".join(parts)


_UID = re.compile(rb"\bUID (\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")


class _Folders:
    """The commands of one logged-in connection, each failure told as an :class:`ImapError`."""

    def __init__(self, imap: imaplib.IMAP4, s: Settings) -> None:
        self.imap = imap
        self.s = s

    def _call(self, what: str, command: Callable[[], tuple[str, list[Any]]]) -> list[Any]:
        try:
            status, data = command()
        except imaplib.IMAP4.abort as exc:
            raise self._lost(exc) from None
        except OSError as exc:
            raise self._lost(exc) from None
        except imaplib.IMAP4.error as exc:
            raise ImapError(f"{self.s.host} refused {what} ({exc}).") from None
        if status != "OK":
            raise ImapError(f"{self.s.host} refused {what} ({_text(data)}).")
        return data

    def _lost(self, exc: BaseException) -> ConnectionLost:
        reason = "no answer in time" if isinstance(exc, TimeoutError) else str(exc) or "closed"
        return ConnectionLost(
            f"The connection to {self.s.host} was lost ({reason}). What was fetched before is "
            "kept; fetch again to go on."
        )

    def examine(self, folder: str) -> tuple[int, int | None, int] | None:
        """Open read only: (UIDVALIDITY, UIDNEXT or None, messages); None: no such folder."""
        try:
            status, data = self.imap.select(encode_folder(folder), readonly=True)
        except imaplib.IMAP4.abort as exc:
            raise self._lost(exc) from None
        except OSError as exc:
            raise self._lost(exc) from None
        except imaplib.IMAP4.error as exc:  # also: the server did not say READ-ONLY
            raise ImapError(f"{self.s.host} would not open {folder!r} read only ({exc}).") from None
        if status != "OK":
            return None
        responses = self.imap.untagged_responses
        validity = _number(responses.get("UIDVALIDITY"))
        if validity is None:
            raise ImapError(f"{self.s.host} gave no UIDVALIDITY for {folder!r}.")
        uidnext = _number(responses.get("UIDNEXT"))
        return validity, uidnext, int(data[0] or 0)

    def uids_after(self, last: int) -> list[int]:
        data = self._call("a search", lambda: self.imap.uid("SEARCH", f"UID {last + 1}:*"))
        found = {int(u) for line in data if line for u in bytes(line).split()}
        return sorted(u for u in found if u > last)  # n:* includes the highest UID, even below n

    def sizes(self, uids: list[int]) -> dict[int, int]:
        data = self._call(
            "to list sizes", lambda: self.imap.uid("FETCH", uid_set(uids), "(RFC822.SIZE)")
        )
        sizes: dict[int, int] = {}
        for line in data:
            text = line[0] if isinstance(line, tuple) else line
            if isinstance(text, bytes):
                uid, size = _UID.search(text), _SIZE.search(text)
                if uid and size:
                    sizes[int(uid.group(1))] = int(size.group(1))
        return sizes

    def bodies(self, uids: list[int]) -> dict[int, bytes]:
        data = self._call(
            "to send messages", lambda: self.imap.uid("FETCH", uid_set(uids), "(BODY.PEEK[])")
        )
        found: dict[int, bytes] = {}
        for i, item in enumerate(data):
            if not isinstance(item, tuple):
                continue
            head, body = item
            uid = _UID.search(head)
            if uid is None and i + 1 < len(data) and isinstance(data[i + 1], bytes):
                uid = _UID.search(data[i + 1])  # UID sent after the literal
            if uid is not None:
                found[int(uid.group(1))] = body
        return found

    def body_to(self, uid: int, size: int, target: BinaryIO) -> bool:
        """A large message written to ``target`` in pieces; False when it is gone."""
        offset = 0
        while offset < size or offset == 0:
            section = f"(BODY.PEEK[]<{offset}.{CHUNK}>)"
            piece = self.bodies_raw(uid, section)
            if piece is None:
                return offset > 0
            target.write(piece)
            offset += len(piece)
            if len(piece) < CHUNK:
                break
        return True

    def bodies_raw(self, uid: int, section: str) -> bytes | None:
        data = self._call("to send a message", lambda: self.imap.uid("FETCH", str(uid), section))
        for item in data:
            if isinstance(item, tuple):
                return bytes(item[1])
        return None


def _number(values: list[Any] | None) -> int | None:
    """The last number an untagged response (``UIDVALIDITY``, ``UIDNEXT``) gave, or None."""
    for value in reversed(values or []):
        if isinstance(value, bytes) and value.strip().isdigit():
            return int(value)
    return None


def _text(data: list[Any]) -> str:
    return " ".join(
        d.decode("utf-8", "replace") if isinstance(d, bytes) else str(d) for d in data if d
    )


def is_sent(folder: str) -> bool:
    """A folder named like Sent (its last part, after ``/`` or ``.``): outbound mail."""
    last = re.split(r"[/.]", folder)[-1]
    return sources.is_sent_folder(Path(last or folder))


# -- fetching ------------------------------------------------------------------------------------
class _Plan:
    """One folder to fetch: its UIDVALIDITY and the UIDs not stored yet."""

    def __init__(self, folder: str, validity: int, uids: list[int], reset: bool) -> None:
        self.folder, self.validity, self.uids, self.reset = folder, validity, uids, reset


def fetch_account(
    vault: Vault,
    s: Settings,
    *,
    outcome: capture.Outcome | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    batch: int = BATCH,
    timeout: float = TIMEOUT,
    done_before: int = 0,
    total_before: int = 0,
) -> capture.Outcome:
    """Fetch what is new in the account's folders; raises :class:`ImapError` for the account."""
    outcome = outcome or capture.Outcome()
    imap = connect(s, timeout)
    scratch = Path(tempfile.mkdtemp(prefix="vrmdesk-mail-"))  # private (0700)
    try:
        folders = _Folders(imap, s)
        plans = _plan(vault, folders, s, outcome)
        total = total_before + sum(len(p.uids) for p in plans)
        done = done_before
        for plan in plans:
            if cancelled is not None and cancelled():
                break
            done = _fetch_folder(
                vault, folders, s, plan, outcome, scratch, batch, progress, cancelled, done, total
            )
    finally:
        _logout(imap)
        shutil.rmtree(scratch, ignore_errors=True)
    return outcome


def _plan(vault: Vault, folders: _Folders, s: Settings, outcome: capture.Outcome) -> list[_Plan]:
    with vault.session() as session:
        known = {
            st.folder: (st.uidvalidity, st.last_uid)
            for st in session.scalars(
                select(m.MailFolderState).where(m.MailFolderState.account_id == s.account_id)
            )
        }
    plans = []
    for folder in s.folders:
        opened = folders.examine(folder)
        if opened is None:
            outcome.problems.append(
                capture.Problem(f"imap://{s.label}/{folder}", "there is no such folder")
            )
            continue
        validity, uidnext, count = opened
        old_validity, last = known.get(folder, (None, 0))
        reset = old_validity != validity
        if reset:
            last = 0
        if count == 0 or (uidnext is not None and uidnext <= last + 1):
            uids: list[int] = []
        else:
            uids = folders.uids_after(last)
        if uids or reset:
            plans.append(_Plan(folder, validity, uids, reset))
    return plans


def _fetch_folder(
    vault: Vault,
    folders: _Folders,
    s: Settings,
    plan: _Plan,
    outcome: capture.Outcome,
    scratch: Path,
    batch: int,
    progress: Progress | None,
    cancelled: Callable[[], bool] | None,
    done: int,
    total: int,
) -> int:
    opened = folders.examine(plan.folder)
    if opened is None or opened[0] != plan.validity:
        return done  # renumbered or gone since it was planned: the next fetch sees it afresh
    outbound = is_sent(plan.folder)
    text = f"{s.label}: {plan.folder}"
    if not plan.uids:  # renumbered, and empty: only the new UIDVALIDITY to keep
        with vault.session() as session:
            _advance(session, s.account_id, plan.folder, plan.validity, 0)
        return done
    for start in range(0, len(plan.uids), batch):
        if start and cancelled is not None and cancelled():
            break
        uids = plan.uids[start : start + batch]
        sizes = folders.sizes(uids)
        with vault.session() as session:
            store = capture.Capture(session, vault.attachments, outbound=outbound)
            for label, opener in _messages(folders, s, plan.folder, uids, sizes, scratch):
                capture.capture_one(store, label, opener, outcome)
                done += 1
                if progress is not None:
                    progress(done, total, text)
            # in the same transaction as the messages: all of the batch, or none of it
            _advance(session, s.account_id, plan.folder, plan.validity, uids[-1])
    return done


def _advance(session: Any, account_id: int, folder: str, validity: int, last_uid: int) -> None:
    state = session.scalar(
        select(m.MailFolderState).where(
            m.MailFolderState.account_id == account_id, m.MailFolderState.folder == folder
        )
    )
    if state is None:
        state = m.MailFolderState(account_id=account_id, folder=folder, uidvalidity=validity)
        session.add(state)
    state.uidvalidity = validity
    state.last_uid = last_uid


def _messages(
    folders: _Folders,
    s: Settings,
    folder: str,
    uids: list[int],
    sizes: dict[int, int],
    scratch: Path,
) -> Iterator[capture.Message]:
    """The messages of ``uids`` still there, in order, each as a label and an opener."""
    group: list[int] = []
    group_bytes = 0

    def label(uid: int) -> str:
        return f"imap://{s.label}/{folder} (UID {uid})"

    def flush() -> Iterator[capture.Message]:
        bodies = folders.bodies(group)
        for uid in group:
            if uid in bodies:
                yield label(uid), _memory_opener(bodies.pop(uid))

    for uid in uids:
        if uid not in sizes:
            continue  # expunged since the search
        size = sizes[uid]
        if size <= CHUNK:
            if group and group_bytes + size > GROUP_BYTES:
                yield from flush()
                group, group_bytes = [], 0
            group.append(uid)
            group_bytes += size
            continue
        if group:
            yield from flush()
            group, group_bytes = [], 0
        with tempfile.TemporaryFile(dir=scratch) as spool:
            if folders.body_to(uid, size, spool):
                spool.seek(0)
                yield label(uid), _file_opener(spool)
    if group:
        yield from flush()


def _memory_opener(data: bytes) -> Callable[[], BinaryIO]:
    return lambda: io.BytesIO(data)


def _file_opener(spool: BinaryIO) -> Callable[[], BinaryIO]:
    return lambda: spool  # capture closes it when read; an unnamed temporary file is then gone


def fetch_all(
    vault: Vault,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    batch: int = BATCH,
    timeout: float = TIMEOUT,
) -> capture.Outcome:
    """Fetch every account. An account that fails is one problem (an :class:`AccountProblem`);
    the others are fetched all the same. ``cancelled()`` is asked between batches."""
    outcome = capture.Outcome()
    with vault.session() as session:
        found = accounts.all_settings(session)
    for item in found:
        if cancelled is not None and cancelled():
            break
        if isinstance(item, accounts.MailAccountError):
            outcome.problems.append(AccountProblem("imap", str(item)))
            continue
        done = _handled(outcome)
        try:
            fetch_account(
                vault,
                item,
                outcome=outcome,
                progress=progress,
                cancelled=cancelled,
                batch=batch,
                timeout=timeout,
                done_before=done,
                total_before=done,
            )
        except ImapError as exc:
            outcome.problems.append(AccountProblem(f"imap://{item.label}", str(exc)))
    return outcome


def _handled(outcome: capture.Outcome) -> int:
    return (
        outcome.imported
        + outcome.offers
        + outcome.unsorted
        + outcome.duplicates
        + len(outcome.problems)
    )
