""" "Open with": private temporary plaintext copies of attachments, deleted on lock and on exit.

The copies live in one folder made with ``tempfile.mkdtemp`` (readable by this user only),
under the platform's temporary folder; ``clear()`` removes it, and a copy left by a crashed
session is removed by the next ``clear_stale()``.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vrmdesk.store.models import Attachment
    from vrmdesk.store.vault import Vault

PREFIX = "vrmdesk-open-"


def _safe_name(name: str) -> str:
    cleaned = re.sub(r"[^\w.\- ]+", "_", name).strip(" .") or "attachment"
    return cleaned[:120]


class TempCopies:
    def __init__(self) -> None:
        self.folder: Path | None = None

    def copy_of(
        self,
        vault: Vault,
        attachment: Attachment,
        *,
        on_chunk: Callable[[int], None] | None = None,
    ) -> Path:
        """A plaintext copy of an attachment for another program to open.

        ``on_chunk`` as in ``AttachmentStore.write_to`` (progress, and a cancel by raising).
        """
        if self.folder is None or not self.folder.exists():
            self.folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
        sub = Path(tempfile.mkdtemp(dir=self.folder))  # one folder each: names never clash
        target = sub / _safe_name(attachment.name)
        vault.attachments.save_copy(attachment, target, on_chunk=on_chunk)
        target.chmod(0o600)
        return target

    def clear(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    @staticmethod
    def clear_stale() -> None:
        """Remove copies left behind by vrmdesk processes that are gone."""
        for path in Path(tempfile.gettempdir()).glob(f"{PREFIX}*"):
            pid = path.name[len(PREFIX) :].split("-")[0]
            if pid.isdigit() and not _alive(int(pid)):
                shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
