"""When things go wrong: a wrong passphrase, a damaged header or database, a killed process, a
second process. Each ends in one clear error (the exact class) and leaves the vault as it was."""

from __future__ import annotations

import io
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select as sql_select
from sqlalchemy import text

from vrmdesk.errors import VaultBusy, VaultDamaged, VaultInUse, WrongPassphrase
from vrmdesk.store import backup, keys
from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.store.vault import Vault

PASSPHRASE = "correct horse"  # the conftest's vault fixture uses it
PAGE = 4096  # SQLCipher 4's page size


def assert_exactly(exc_info: pytest.ExceptionInfo, cls: type[BaseException]) -> str:
    assert type(exc_info.value) is cls, f"{type(exc_info.value).__name__}: {exc_info.value}"
    return str(exc_info.value)


# -- wrong passphrase --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "attempt",
    ["correct horse ", "Correct horse", "correct hors", "", None],
    ids=["trailing-space", "case", "short", "empty", "none"],
)
def test_a_wrong_passphrase_is_refused_and_changes_nothing(vault, vault_dir, tree_hashes, attempt):
    with vault.session() as s:
        records.create(s, m.Vendor, name="Bosch")
    vault.close()
    before = tree_hashes(vault_dir)
    with pytest.raises(WrongPassphrase) as err:
        Vault.open(vault_dir, attempt)
    message = assert_exactly(err, WrongPassphrase)
    assert "passphrase is not right" in message
    assert "InvalidTag" not in message and "Traceback" not in message
    assert tree_hashes(vault_dir) == before
    Vault.open(vault_dir, PASSPHRASE).close()  # and the lock was let go


# -- a damaged key header (vault.json) -------------------------------------------------------------
@pytest.fixture
def closed_vault(vault, vault_dir) -> Path:
    with vault.session() as s:
        records.create(s, m.Vendor, name="Bosch")
    vault.close()
    return vault_dir


def assert_header_damaged(folder: Path, tree_hashes, passphrase: str = PASSPHRASE) -> None:
    before = tree_hashes(folder)
    with pytest.raises(VaultDamaged) as err:
        Vault.open(folder, passphrase)
    message = assert_exactly(err, VaultDamaged)
    assert "vault.json" in message
    assert "backup" in message.lower()
    assert tree_hashes(folder) == before


def _rechecksummed(body: dict) -> bytes:
    body = {k: v for k, v in body.items() if k != "checksum"}
    body["checksum"] = keys._checksum(body)
    return json.dumps(body, indent=2).encode()


def _drop(path: str):
    def mutate(body: dict) -> None:
        *parents, last = path.split(".")
        for part in parents:
            body = body[part]
        del body[last]

    return mutate


def _set(path: str, value: object):
    def mutate(body: dict) -> None:
        *parents, last = path.split(".")
        for part in parents:
            body = body[part]
        body[last] = value

    return mutate


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda raw: b"", id="empty"),
        pytest.param(lambda raw: raw[: len(raw) // 2], id="truncated-half"),
        pytest.param(lambda raw: raw[:-3], id="truncated-end"),
        pytest.param(lambda raw: raw[:1], id="truncated-one-byte"),
        pytest.param(lambda raw: b"this is not JSON at all\n", id="not-json"),
        pytest.param(lambda raw: b"[1, 2, 3]\n", id="json-list"),
        pytest.param(lambda raw: b"null", id="json-null"),
        pytest.param(lambda raw: os.urandom(len(raw)), id="random-bytes"),
        pytest.param(lambda raw: b"\xff\xfe" + raw, id="not-utf8"),
        pytest.param(lambda raw: raw.replace(b'"checksum"', b'"checksun"'), id="no-checksum"),
    ],
)
def test_a_damaged_header_is_reported_as_damage(closed_vault, tree_hashes, damage):
    header = closed_vault / "vault.json"
    header.write_bytes(damage(header.read_bytes()))
    assert_header_damaged(closed_vault, tree_hashes)


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(_drop("format"), id="no-format"),
        pytest.param(_drop("vault_id"), id="no-vault-id"),
        pytest.param(_drop("created"), id="no-created"),
        pytest.param(_drop("kdf"), id="no-kdf"),
        pytest.param(_drop("kdf.salt"), id="no-salt"),
        pytest.param(_drop("kdf.memory_kib"), id="no-memory"),
        pytest.param(_drop("wrapped_keys"), id="no-wrapped-keys"),
        pytest.param(_drop("wrapped_keys.passphrase"), id="no-passphrase-wrap"),
        pytest.param(_drop("wrapped_keys.recovery.nonce"), id="no-recovery-nonce"),
        pytest.param(_set("format", "vrmdesk-vault/99"), id="unknown-format"),
        pytest.param(_set("kdf", None), id="kdf-null"),
        pytest.param(_set("kdf", []), id="kdf-list"),
        pytest.param(_set("kdf.name", "pbkdf2"), id="unknown-kdf"),
        pytest.param(_set("kdf.salt", 12345), id="salt-a-number"),
        pytest.param(_set("kdf.salt", "not base64!"), id="salt-not-base64"),
        pytest.param(_set("kdf.iterations", "many"), id="iterations-text"),
        pytest.param(_set("kdf.lanes", 0), id="no-lanes"),
        pytest.param(_set("wrapped_keys", [1, 2]), id="wrapped-keys-list"),
        pytest.param(_set("wrapped_keys.passphrase.nonce", "AAAA"), id="nonce-short"),
    ],
)
def test_a_header_with_missing_or_wrong_fields_is_damage_even_with_a_valid_checksum(
    closed_vault, tree_hashes, mutate
):
    """Fields checked one by one: a header rewritten by a broken tool, checksum and all."""
    header = closed_vault / "vault.json"
    body = json.loads(header.read_bytes())
    mutate(body)
    header.write_bytes(_rechecksummed(body))
    assert_header_damaged(closed_vault, tree_hashes)


def test_any_flipped_byte_in_the_header_is_damage_not_a_wrong_passphrase(closed_vault, tree_hashes):
    header = closed_vault / "vault.json"
    original = header.read_bytes()
    wrong = []
    for position in range(len(original)):
        for mask in (0x01, 0x80):
            flipped = bytearray(original)
            flipped[position] ^= mask
            header.write_bytes(bytes(flipped))
            try:
                Vault.open(closed_vault, PASSPHRASE).close()
                wrong.append(f"byte {position} ^ {mask:#x}: opened")
            except VaultDamaged as exc:
                if "vault.json" not in str(exc) or "backup" not in str(exc).lower():
                    wrong.append(f"byte {position} ^ {mask:#x}: unclear message {exc}")
            except Exception as exc:
                wrong.append(f"byte {position} ^ {mask:#x}: {type(exc).__name__}: {exc}")
    assert wrong == []
    header.write_bytes(original)
    Vault.open(closed_vault, PASSPHRASE).close()


def test_a_missing_header_beside_a_database_is_damage(closed_vault, tree_hashes):
    (closed_vault / "vault.json").unlink()
    assert_header_damaged(closed_vault, tree_hashes)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("iterations", 10**9),
        ("iterations", 65),
        ("memory_kib", 2**40),
        ("memory_kib", 8 * 1024**2),  # 8 GiB
        ("lanes", 2**24),
        ("lanes", 65),
        ("iterations", True),
        ("memory_kib", 65536.5),
    ],
)
def test_absurd_key_derivation_costs_are_refused_before_deriving(
    closed_vault, tree_hashes, field, value
):
    """A header (checksum and all) that would make Argon2id run for hours or ask for a terabyte."""
    header = closed_vault / "vault.json"
    body = json.loads(header.read_bytes())
    body["kdf"][field] = value
    header.write_bytes(_rechecksummed(body))
    before = tree_hashes(closed_vault)
    started = time.monotonic()
    with pytest.raises(VaultDamaged) as err:
        Vault.open(closed_vault, PASSPHRASE)
    assert time.monotonic() - started < 5
    message = assert_exactly(err, VaultDamaged)
    assert "vault.json" in message and "key derivation parameters out of range" in message
    assert "iterations 1 to 64, memory 8 KiB per lane to 4 GiB, lanes 1 to 64" in message
    assert tree_hashes(closed_vault) == before


def test_the_command_line_refuses_a_billion_iterations_at_once(closed_vault):
    header = closed_vault / "vault.json"
    body = json.loads(header.read_bytes())
    body["kdf"]["iterations"] = 10**9
    header.write_bytes(_rechecksummed(body))
    result = subprocess.run(
        [sys.executable, "-m", "vrmdesk.cli", "--vault", str(closed_vault), "info"],
        env={**os.environ, "VRMDESK_PASSPHRASE": PASSPHRASE},
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 1
    assert "out of range" in result.stderr and "Traceback" not in result.stderr


def test_new_key_derivation_parameters_stay_inside_the_range():
    calibrated = keys.calibrate()
    calibrated.check_range()
    assert calibrated.iterations * calibrated.memory_kib <= keys.MAX_WORK_KIB
    keys.fast_params_for_tests().check_range()  # the tests' profile is inside it too
    with pytest.raises(ValueError, match="out of range"):
        keys.KdfParams(10**9, 8 * 1024, 1, os.urandom(16)).check_range()


def test_weakened_key_derivation_with_a_forged_checksum_does_not_unlock(closed_vault, tree_hashes):
    """The KDF parameters are bound to the wrapped key: lowering them is not a shortcut."""
    header = closed_vault / "vault.json"
    body = json.loads(header.read_bytes())
    body["kdf"]["memory_kib"] = 16
    header.write_bytes(_rechecksummed(body))
    before = tree_hashes(closed_vault)
    with pytest.raises(WrongPassphrase) as err:
        Vault.open(closed_vault, PASSPHRASE)
    assert_exactly(err, WrongPassphrase)
    assert tree_hashes(closed_vault) == before


# -- a damaged database (vault.db) ---------------------------------------------------------------
@pytest.fixture(scope="module")
def full_vault(tmp_path_factory) -> Path:
    """A closed vault whose database spans many pages (a vendor and 300 interactions)."""
    folder = tmp_path_factory.mktemp("full") / "v"
    vault, _ = Vault.create(folder, PASSPHRASE, kdf=keys.fast_params_for_tests())
    with vault, vault.session() as s:
        vendor = records.create(s, m.Vendor, name="Bosch", notes="the dishwasher people")
        for i in range(300):
            records.create(
                s,
                m.Interaction,
                vendor_id=vendor.id,
                direction="inbound" if i % 2 else "outbound",
                channel="email",
                subject=f"message {i}",
                body=f"body of message {i} " * 20,
            )
    assert (folder / "vault.db").stat().st_size > 60 * PAGE
    return folder


@pytest.fixture
def full_copy(full_vault, tmp_path) -> Path:
    folder = tmp_path / "copy"
    shutil.copytree(full_vault, folder)
    return folder


def read_everything(vault: Vault) -> None:
    """Queries through ``vault.session()`` that between them read every page of the database.

    A user's screens and searches do this piecemeal; here every table (the full-text index's
    included) is scanned, and every index is walked on its own.
    """
    with vault.session() as s:
        tables = list(s.scalars(text("SELECT name FROM sqlite_master WHERE type = 'table'")))
        assert {"interactions", "search_index"} <= set(tables)
        for table in tables:
            s.execute(text(f'SELECT * FROM "{table}"')).all()
        indexes = s.execute(
            text("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index'")
        ).all()
        assert indexes
        for index, table in indexes:
            columns = ", ".join(
                f'"{row[2]}"' for row in s.execute(text(f'PRAGMA index_info("{index}")'))
            )
            s.execute(
                text(f'SELECT {columns} FROM "{table}" INDEXED BY "{index}" ORDER BY {columns}')
            ).all()
        assert len(records.list_records(s, m.Interaction)) == 300
        assert s.scalar(text("PRAGMA integrity_check")) == "ok"


def test_read_everything_reads_an_undamaged_copy(full_copy):
    with Vault.open(full_copy, PASSPHRASE) as vault:
        read_everything(vault)


def _flip(offset: int):
    def damage(path: Path) -> None:
        data = bytearray(path.read_bytes())
        data[offset if offset >= 0 else len(data) + offset] ^= 0x01
        path.write_bytes(bytes(data))

    return damage


def _truncate_half(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 // PAGE * PAGE + 100])


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(_truncate_half, id="truncated-half"),
        pytest.param(_flip(5), id="page-1-salt"),
        pytest.param(_flip(200), id="page-1-content"),
        pytest.param(_flip(PAGE - 20), id="page-1-hmac"),
        pytest.param(_flip(2 * PAGE + 700), id="page-3"),
        pytest.param(_flip(40 * PAGE + 1234), id="page-41"),
        pytest.param(_flip(-100), id="last-page"),
    ],
)
def test_a_damaged_database_is_reported_with_a_pointer_to_backups(full_copy, tree_hashes, damage):
    damage(full_copy / "vault.db")
    before = tree_hashes(full_copy)
    with pytest.raises(VaultDamaged) as err, Vault.open(full_copy, PASSPHRASE) as vault:
        read_everything(vault)
    message = assert_exactly(err, VaultDamaged)
    assert "vault.db" in message
    assert "backup" in message.lower() and "vrmdesk restore" in message
    assert tree_hashes(full_copy) == before  # nothing "repaired" behind the user's back


def test_a_flipped_byte_in_any_page_is_reported_as_damage(full_vault, tmp_path):
    """Every page, one at a time: none is read without its damage being noticed and named."""
    original = (full_vault / "vault.db").read_bytes()
    folder = tmp_path / "each-page"
    wrong = []
    for page in range(len(original) // PAGE):
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(full_vault, folder)
        damaged = bytearray(original)
        damaged[page * PAGE + 1000] ^= 0x04
        (folder / "vault.db").write_bytes(bytes(damaged))
        try:
            with Vault.open(folder, PASSPHRASE) as vault:
                read_everything(vault)
            wrong.append(f"page {page + 1}: not noticed")
        except VaultDamaged as exc:
            if "vault.db" not in str(exc) or "backup" not in str(exc).lower():
                wrong.append(f"page {page + 1}: unclear message {exc}")
        except Exception as exc:
            wrong.append(f"page {page + 1}: {type(exc).__name__}: {exc}")
        if (folder / "vault.db").read_bytes() != damaged:
            wrong.append(f"page {page + 1}: the damaged file was changed")
    assert wrong == []


def test_an_emptied_database_is_damage_not_a_new_empty_vault(full_copy):
    (full_copy / "vault.db").write_bytes(b"")
    for _ in range(2):  # and it stays so: the first attempt did not turn it into a vault
        with pytest.raises(VaultDamaged) as err, Vault.open(full_copy, PASSPHRASE) as vault:
            read_everything(vault)
        message = assert_exactly(err, VaultDamaged)
        assert "vault.db" in message and "backup" in message.lower()
    assert not (full_copy / "backups").exists()


def test_damage_found_by_the_attachment_sweep_on_open_lets_go_of_the_vault(vault, vault_dir):
    """The sweep after an interrupted attachment reads the database too; if that fails, the
    error is the damage, and trying again gives the damage again (not "open elsewhere")."""
    with vault.session() as s:
        vendor = records.create(s, m.Vendor, name="Bosch")
        vault.attachments.add(s, vendor, io.BytesIO(b"a receipt"), name="receipt.txt")
        (page,) = s.scalars(
            text("SELECT rootpage FROM sqlite_master WHERE tbl_name = 'blobs' AND type = 'index'")
        )
    vault.close()
    db = vault_dir / "vault.db"
    damaged = bytearray(db.read_bytes())
    damaged[(page - 1) * PAGE + 500] ^= 0x01
    db.write_bytes(bytes(damaged))
    (vault_dir / "attachments" / ".pending").touch()  # an attachment write was interrupted

    errors = []
    for _ in range(2):
        with pytest.raises(VaultDamaged) as err:
            Vault.open(vault_dir, PASSPHRASE)
        errors.append(err)  # keeps the failed attempt's frames alive, as a GUI's handler might
        assert "vault.db" in assert_exactly(err, VaultDamaged)


@pytest.mark.parametrize("with_backups", [False, True], ids=["no-backups", "with-backups"])
def test_another_vaults_header_with_the_same_passphrase_is_named_as_such(
    full_copy, tmp_path, tree_hashes, with_backups
):
    """Not "vault.db is damaged": the database is whole, the header is not its own."""
    if with_backups:
        with Vault.open(full_copy, PASSPHRASE) as vault:
            backup.make_backup(vault)
    other, _ = Vault.create(tmp_path / "other", PASSPHRASE, kdf=keys.fast_params_for_tests())
    other.close()
    shutil.copyfile(tmp_path / "other" / "vault.json", full_copy / "vault.json")
    before = tree_hashes(full_copy)
    for readonly in (False, True):
        with pytest.raises(VaultDamaged) as err:
            Vault.open(full_copy, PASSPHRASE, readonly=readonly)
        message = assert_exactly(err, VaultDamaged)
        assert "vault.json belongs to another vault" in message
        assert "is damaged" not in message
        assert "backups" in message
        if with_backups:
            assert "copies of this vault's own key header" in message
    assert tree_hashes(full_copy) == before


def test_a_database_whose_first_page_is_damaged_is_still_damage_not_another_vault(full_copy):
    """Under the right key only page 1 fails; under another vault's key every page does."""
    original = (full_copy / "vault.db").read_bytes()

    def opening_says(offset: int) -> str:
        _flip_bit(full_copy / "vault.db", original, offset, 0x10)
        with pytest.raises(VaultDamaged) as err, Vault.open(full_copy, PASSPHRASE) as vault:
            read_everything(vault)
        return str(err.value)

    offsets = (0, 15, 16, 31, 40, 100, 2000, 4015, 4016, 4031, 4032, 4095)
    said = {offset: opening_says(offset) for offset in offsets}
    assert {o: m for o, m in said.items() if "vault.db is damaged" not in m} == {}
    assert {o: m for o, m in said.items() if "another vault" in m} == {}


def _flip_bit(path: Path, original: bytes, offset: int, mask: int) -> None:
    damaged = bytearray(original)
    damaged[offset] ^= mask
    path.write_bytes(bytes(damaged))


def test_the_database_remembers_which_vault_it_belongs_to(vault, vault_dir, tree_hashes):
    with vault.session() as s:
        meta = s.get(m.Meta, "vault_id")
        assert meta is not None and meta.value == vault.header.vault_id
    data_key = vault.data_key
    vault.close()
    # a header that holds this very key but names another vault (a forged or mixed-up one)
    forged = keys.Header.create(
        PASSPHRASE, data_key, keys.new_recovery_key(), keys.fast_params_for_tests()
    )
    forged.save(vault_dir / "vault.json")
    before = tree_hashes(vault_dir)
    with pytest.raises(VaultDamaged) as err:
        Vault.open(vault_dir, PASSPHRASE)
    assert "vault.json belongs to another vault" in assert_exactly(err, VaultDamaged)
    assert tree_hashes(vault_dir) == before


def test_a_missing_database_is_damage(full_copy):
    (full_copy / "vault.db").unlink()
    with pytest.raises(VaultDamaged) as err:
        Vault.open(full_copy, PASSPHRASE)
    message = assert_exactly(err, VaultDamaged)
    assert "vault.db" in message and "backup" in message.lower()


# -- a process killed in the middle of writing ----------------------------------------------------
WRITER = r"""
import sys
from pathlib import Path
from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.store.vault import Vault

vault = Vault.open(Path(sys.argv[1]), sys.argv[2])
with vault.session() as s:
    vendor_id = records.create(s, m.Vendor, name="Killed mid-write").id
i = 0
while True:
    with vault.session() as s:
        new = records.create(
            s, m.Interaction, vendor_id=vendor_id, direction="inbound", channel="note",
            subject=f"write {i}", body="x" * (50 + i % 400),
        )
    print(new.id, i, flush=True)  # after the commit returned: "shown as saved"
    i += 1
"""


def _read_lines_until(proc: subprocess.Popen, count: int, timeout: float) -> list[str]:
    """Lines from the child's stdout until ``count`` arrived (no blocking past ``timeout``)."""
    fd = proc.stdout.fileno()
    buffer = b""
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while len(lines) < count:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            break
        chunk = os.read(fd, 65536)
        if not chunk:
            break  # the child ended
        buffer += chunk
        *complete, buffer = buffer.split(b"\n")
        lines += [line.decode() for line in complete]
    return lines


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_every_saved_write_survives_a_sigkill(vault, vault_dir):
    vault.close()
    with subprocess.Popen(
        [sys.executable, "-c", WRITER, str(vault_dir), PASSPHRASE],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as proc:
        try:
            lines = _read_lines_until(proc, 200, timeout=60)
        finally:
            proc.send_signal(signal.SIGKILL)  # in the middle of the next write
        _, stderr = proc.communicate(timeout=30)
    assert len(lines) >= 200, f"the writer stopped early: {stderr.decode()[-2000:]}"
    assert proc.returncode == -signal.SIGKILL
    saved = {int(line.split()[0]): int(line.split()[1]) for line in lines}

    with Vault.open(vault_dir, PASSPHRASE) as reopened:
        with reopened.session() as s:
            rows = dict(s.execute(sql_select(m.Interaction.id, m.Interaction.subject)).all())
        missing = [i for i in saved if i not in rows]
        assert missing == []
        assert all(rows[i] == f"write {n}" for i, n in saved.items())
        with reopened.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").all() == [("ok",)]
            assert conn.exec_driver_sql("PRAGMA cipher_integrity_check").all() == []
        with reopened.session() as s:  # and it takes writes again
            records.create(s, m.Vendor, name="After the crash")


# -- one writer at a time -------------------------------------------------------------------------
OPENER = r"""
import sys
from vrmdesk.errors import VrmError
from vrmdesk.store.vault import Vault

try:
    vault = Vault.open(sys.argv[1], sys.argv[2])
except VrmError as exc:
    print(type(exc).__name__)
    print(exc)
    sys.exit(3)
vault.close()
print("opened")
"""


def _open_in_another_process(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", OPENER, str(folder), PASSPHRASE],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_second_process_cannot_open_the_vault_for_writing(vault, vault_dir):
    result = _open_in_another_process(vault_dir)
    assert result.returncode == 3, result.stderr
    name, message = result.stdout.splitlines()[:2]
    assert name == "VaultInUse"
    assert str(vault_dir.resolve()) in message and "Close it there first" in message
    assert "Traceback" not in result.stderr

    with vault.session() as s:  # the first process is not disturbed
        records.create(s, m.Vendor, name="Still mine")
    vault.close()
    result = _open_in_another_process(vault_dir)
    assert (result.returncode, result.stdout.strip()) == (0, "opened"), result.stderr


def test_a_second_open_in_the_same_process_is_refused_until_close(vault, vault_dir):
    with pytest.raises(VaultInUse) as err:
        Vault.open(vault_dir, PASSPHRASE)
    message = assert_exactly(err, VaultInUse)
    assert "open in another" in message and str(vault_dir.resolve()) in message
    # refused before any passphrase work: a wrong one gets the same answer
    with pytest.raises(VaultInUse):
        Vault.open(vault_dir, "wrong")
    # a reader needs no lock
    with Vault.open(vault_dir, PASSPHRASE, readonly=True) as reader:
        assert not reader.writable
    vault.close()
    with Vault.open(vault_dir, PASSPHRASE) as again:
        assert again.writable


def test_a_write_refused_because_the_vault_is_busy_is_told_as_such_and_saves_nothing(vault):
    """Another connection holds SQLite's write lock: the unit of work is refused with VaultBusy
    (a one-line message), not an OperationalError, and nothing of it is kept."""
    other = vault._engine.raw_connection()  # another unit of work of this process, writing
    other.cursor().execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(VaultBusy, match="busy with other work"):
            _add_vendor(vault, "Miele")
    finally:
        other.cursor().execute("ROLLBACK")
        other.close()
    with vault.session() as s:
        assert s.scalars(sql_select(m.Vendor.name).where(m.Vendor.name == "Miele")).all() == []


def _add_vendor(vault: Vault, name: str) -> None:
    with vault.session() as s:
        s.add(m.Vendor(name=name))
        s.flush()
