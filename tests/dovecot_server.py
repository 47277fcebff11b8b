"""A throwaway Dovecot IMAP server for the tests and the benchmark: loopback only, a config,
certificate, password file and Maildir of its own in a temporary folder, never /etc/dovecot.

The server runs as the current user (its internal and login users are that user, no chroot), so
it works as root in CI and as a developer. Mailboxes are filled by writing Maildir files, the
way a delivery agent would, straight into ``cur/`` with no flags (``:2,``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import grp
import hashlib
import ipaddress
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from processes import end_group, free_port

DOVECOT = "/usr/sbin/dovecot"
USER = "me@home.example"
PASSWORD = "imap secret 1"


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def find_dovecot() -> str | None:
    if os.access(DOVECOT, os.X_OK):
        return DOVECOT
    return shutil.which("dovecot")


def make_certificate(folder: Path) -> tuple[Path, Path, str]:
    """A self-signed certificate for 127.0.0.1 and localhost: (cert, key, SHA-256 hex of DER)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "vrmdesk test IMAP server")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    der = cert.public_bytes(serialization.Encoding.DER)
    return cert_path, key_path, hashlib.sha256(der).hexdigest()


class Dovecot:
    """One server: ``start()``, ``kill()`` (the whole process group), ``start()`` again."""

    def __init__(self, folder: Path, binary: str) -> None:
        self.folder = folder
        self.binary = binary
        self.mail = folder / "mail"
        self.imaps_port = free_port()
        self.imap_port = free_port()
        self.log = folder / "dovecot.log"
        self.cert, key, self.fingerprint = make_certificate(folder)
        user = pwd.getpwuid(os.getuid()).pw_name
        group = grp.getgrgid(os.getgid()).gr_name
        login_user = user
        #: whom the mail belongs to: Dovecot never reads mail as root, nor runs its login
        #: processes as root, so as root (CI) both are unprivileged system users
        self.uid, self.gid = os.getuid(), os.getgid()
        if os.getuid() == 0:
            login_user = next(u for u in ("dovenull", "nobody") if _user_exists(u))
            owner = pwd.getpwnam(next(u for u in ("dovecot", "nobody") if _user_exists(u)))
            self.uid, self.gid = owner.pw_uid, owner.pw_gid
            # that user must get through to the mail: ``folder`` wants a parent like /tmp, not
            # pytest's private tmp_path
            folder.chmod(0o711)
        for sub in ("run", "state"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        self.mail.mkdir(exist_ok=True)
        os.chown(self.mail, self.uid, self.gid)
        passwd = folder / "passwd"
        passwd.write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        self.config = folder / "dovecot.conf"
        self.config.write_text(
            f"""
base_dir = {folder / "run"}
state_dir = {folder / "state"}
log_path = {self.log}
info_log_path = {self.log}
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{self.cert}
ssl_key = <{key}
disable_plaintext_auth = yes
auth_mechanisms = plain
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {login_user}
first_valid_uid = 0
first_valid_gid = 0
mail_location = maildir:{self.mail}/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {passwd}
}}
userdb {{
  driver = static
  args = uid={self.uid} gid={self.gid} home={self.mail}/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {self.imap_port}
  }}
  inet_listener imaps {{
    port = {self.imaps_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  chroot =
}}
service auth-worker {{
  user = {user}
}}
"""
        )
        self.process: subprocess.Popen[bytes] | None = None

    # -- running -------------------------------------------------------------------------------
    def start(self) -> None:
        with (self.folder / "dovecot.stderr").open("ab") as stderr:
            self.process = subprocess.Popen(
                [self.binary, "-F", "-c", str(self.config)],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,  # its own process group: kill() takes the imap children
            )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = (self.folder / "dovecot.stderr").read_text(errors="replace")
                raise RuntimeError(f"dovecot exited at start: {err}\n{self.log_text()}")
            if self._greets(self.imap_port):
                return
            time.sleep(0.05)
        raise RuntimeError(f"dovecot did not listen within 15 s\n{self.log_text()}")

    @staticmethod
    def _greets(port: int) -> bool:
        """Listening is not enough: its login processes must be up and say hello."""
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1) as s:
            return s.recv(100).startswith(b"* OK")
        return False

    def kill(self) -> None:
        """SIGKILL to the master and every child: the connection drops mid-command."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self.process = None
        self._forget_master()

    def _forget_master(self) -> None:
        """The next start needs the killed master's pid file gone."""
        with contextlib.suppress(FileNotFoundError):
            (self.folder / "run" / "master.pid").unlink()

    def stop(self) -> None:
        if self.process is None:
            return
        if not end_group(self.process):
            self._forget_master()
        self.process = None

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    # -- mailboxes -----------------------------------------------------------------------------
    def maildir(self, folder: str = "INBOX") -> Path:
        """The Maildir of a folder (Maildir++: INBOX at the top, others as ``.Name``)."""
        root = self.mail / USER
        path = root if folder == "INBOX" else root / f".{folder}"
        for sub in ("cur", "new", "tmp"):
            (path / sub).mkdir(parents=True, exist_ok=True)
        for made in (root, path, path / "cur", path / "new", path / "tmp"):
            os.chown(made, self.uid, self.gid)
        return path

    def deliver(self, messages: list[bytes], folder: str = "INBOX") -> None:
        path = self.maildir(folder)
        stamp = time.time_ns()
        for n, data in enumerate(messages):
            name = f"{stamp // 10**9}.M{stamp % 10**9}P{os.getpid()}Q{n}.vrmtest:2,"
            tmp = path / "tmp" / name
            tmp.write_bytes(data)
            os.chown(tmp, self.uid, self.gid)
            tmp.rename(path / "cur" / name)

    def message_files(self) -> dict[str, str]:
        """Every message file of every mailbox (not Dovecot's own index and uidlist files)."""
        return {
            str(p.relative_to(self.mail)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(self.mail.rglob("*"))
            if p.is_file() and p.parent.name in ("cur", "new", "tmp")
        }

    def new_uidvalidity(self, folder: str = "INBOX") -> None:
        """Make the folder's UIDVALIDITY change: Dovecot's uidlist and indexes dropped (the
        message files stay), so it numbers the messages anew under a new UIDVALIDITY."""
        path = self.maildir(folder)
        for p in path.iterdir():
            if p.is_file() and p.name.startswith("dovecot"):
                p.unlink()
        # UIDVALIDITY comes from the clock: make sure a second has passed since the last one
        time.sleep(1.1)
