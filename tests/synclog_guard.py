"""A pytest plugin: every commit of every test must be explained by the change log.

    PYTHONPATH=tests .venv/bin/python -m pytest -p synclog_guard tests/test_services.py …

Before each commit it replays the vault's change log (:func:`vrmdesk.store.changelog.verify`)
and fails the test whose commit left a synced record the log does not explain: written by raw
SQL, or by a path the session events do not see. Tests that damage vaults on purpose (raw SQL,
bit flips) are not for it. tests/test_sync_log_coverage.py uses it on the program's writers.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from vrmdesk.store import changelog


class Unlogged(AssertionError):
    pass


def _check(session: Session) -> None:
    if not changelog.capturing(session):
        return
    problems = changelog.verify(session)
    if problems:
        raise Unlogged("; ".join(problems[:5]))


@pytest.fixture(autouse=True)
def _every_commit_logged() -> Iterator[None]:
    event.listen(Session, "before_commit", _check)
    try:
        yield
    finally:
        event.remove(Session, "before_commit", _check)
