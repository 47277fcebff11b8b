"""New vaults for the tests, made by copying a template instead of from scratch.

Making a vault (the schema, migrations' bookkeeping) costs about 0.3 s and filling it with the
demo data about 0.7 s more; copying a closed one costs a few milliseconds. So each kind (empty,
demo) is made once per test session and day (the demo's dates are relative to today) with
:meth:`Vault.create` and :func:`demo.build` themselves, then copied into the folder a test asks
for. Every copy gets what must be its own: a new key header (a new vault id, salt and recovery
key, wrapped under the test's passphrase with the fast test profile) and a new share identity
(an empty vault has no sync device id yet: it is made on first use; the demo's change log is
stamped with the template's, which it keeps). What the copy holds is otherwise exactly what the
template's ``create`` (and ``build``) wrote; the copy is opened the way ``Vault.create`` leaves
a vault, not with ``Vault.open`` (whose recovery steps a new vault never went through).

A test of creating vaults itself (``Vault.create``, ``vrmdesk init``, the wizard) still makes
its own.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import text

from vrmdesk.store import demo, keys
from vrmdesk.store.engine import make_engine
from vrmdesk.store.paths import VaultPaths, acquire_lock
from vrmdesk.store.vault import IDENTITY_META_KEY, VAULT_ID_META_KEY, Vault, new_signing_key


@dataclass(frozen=True)
class _Template:
    folder: Path
    data_key: bytes


_root: Path | None = None
_templates: dict[tuple[bool, date], _Template] = {}


def _template(with_demo: bool) -> _Template:
    global _root
    key = (with_demo, date.today())
    if key not in _templates:
        if _root is None:
            _root = Path(tempfile.mkdtemp(prefix="vrmdesk-templates-"))
            atexit.register(shutil.rmtree, _root, ignore_errors=True)
        folder = _root / f"{'demo' if with_demo else 'empty'}-{key[1].isoformat()}"
        vault, _ = Vault.create(folder, "template", kdf=keys.fast_params_for_tests())
        data_key = vault.data_key
        with vault:
            if with_demo:
                with vault.session() as session:
                    demo.build(session, vault.attachments)
        _templates[key] = _Template(folder, data_key)
    return _templates[key]


def copy_vault(folder: Path, passphrase: str, *, with_demo: bool = False) -> tuple[Vault, str]:
    """A new vault in ``folder`` (which must not exist), open, and its recovery key: as
    ``Vault.create(folder, passphrase, kdf=keys.fast_params_for_tests())`` returns it, followed
    by ``demo.build`` when ``with_demo``."""
    template = _template(with_demo)
    shutil.copytree(template.folder, folder)  # keeps the modes (the folder is private)
    paths = VaultPaths(folder)
    recovery_key = keys.new_recovery_key()
    header = keys.Header.create(
        passphrase, template.data_key, recovery_key, keys.fast_params_for_tests()
    )
    lock = acquire_lock(paths)
    engine = make_engine(paths.db, template.data_key)
    try:
        with engine.begin() as conn:
            update = text("UPDATE vault_meta SET value = :value WHERE key = :key")
            conn.execute(update, {"key": VAULT_ID_META_KEY, "value": header.vault_id})
            conn.execute(update, {"key": IDENTITY_META_KEY, "value": new_signing_key()})
        header.save(paths.header)
        vault = Vault(paths, header, template.data_key, lock, engine)
        vault.attachments.load()
    except BaseException:
        engine.dispose()
        lock.release()
        raise
    return vault, recovery_key


def demo_folder(folder: Path, passphrase: str) -> Path:
    """A closed demo vault in ``folder`` that opens with ``passphrase``."""
    vault, _ = copy_vault(folder, passphrase, with_demo=True)
    vault.close()
    return folder
