"""The search dialog: results as you type, grouped by kind, highlighted, chosen from the
keyboard."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from sqlalchemy import select

from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.store.services.search import MARK_END, MARK_START
from vrmdesk.ui.search.dialog import SearchDialog
from vrmdesk.ui.search.model import (
    CONTEXT_ROLE,
    ID_ROLE,
    IS_HEADER_ROLE,
    KIND_ROLE,
    SECTIONS,
    SNIPPET_HTML_ROLE,
    TITLE_HTML_ROLE,
    Result,
    SearchResultsModel,
    snippet_html,
)


@pytest.fixture
def dialog(controller, qtbot):  # type: ignore[no-untyped-def]
    # the dialog deletes itself on close, so pytest-qt looks after its parent instead
    parent = QWidget()
    qtbot.addWidget(parent)
    dlg = SearchDialog(controller, parent)
    dlg.show()
    qtbot.waitExposed(dlg)
    yield dlg  # (keeps the parent alive: pytest-qt holds it only weakly)
    parent.close()


def type_and_wait(qtbot, dlg: SearchDialog, text: str) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClicks(dlg.field, text)
    qtbot.waitUntil(lambda: not dlg._pending, timeout=5000)


def rows(dlg: SearchDialog) -> list[tuple[bool, object, object, object]]:
    model = dlg.model
    return [
        (
            bool(model.index(r).data(IS_HEADER_ROLE)),
            model.index(r).data(),
            model.index(r).data(KIND_ROLE),
            model.index(r).data(ID_ROLE),
        )
        for r in range(model.rowCount())
    ]


def test_typing_shows_results_grouped_by_kind_with_highlighted_snippets(
    dialog, qtbot, qtmodeltester
):
    assert "Type to search" in dialog.status.text()
    type_and_wait(qtbot, dialog, "warranty")

    listed = rows(dialog)
    headers = [text for is_header, text, _, _ in listed if is_header]
    assert headers[:3] == ["Tickets", "Conversation", "Warranties"]
    # every result sits under the header of its kind, and each kind has one section
    current = None
    for is_header, text, kind, _ in listed:
        if is_header:
            current = text
        else:
            assert SECTIONS[kind][0] == current
    assert len(headers) == len(set(headers))
    results = [r for r in listed if not r[0]]
    assert dialog.status.text() == f"{len(results)} matches."

    model = dialog.model
    conversation = [
        r for r in range(model.rowCount()) if model.index(r).data(KIND_ROLE) == "interaction"
    ]
    snippets = [model.index(r).data(SNIPPET_HTML_ROLE) for r in conversation]
    assert any("<b>warranty</b>" in s for s in snippets)
    # a warranty row tells which thing it covers, and its title shows the word found
    warranty = next(
        r for r in range(model.rowCount()) if model.index(r).data(KIND_ROLE) == "warranty"
    )
    assert "<b>warranty</b>" in model.index(warranty).data(TITLE_HTML_ROLE).lower()
    assert model.index(warranty).data(CONTEXT_ROLE)
    # headers cannot be selected; the best result is selected, ready for Enter
    assert model.flags(model.index(0)) == Qt.ItemFlag.NoItemFlags
    assert dialog.selected() == (results[0][2], results[0][3])
    qtmodeltester.check(model)
    assert not dialog.grab().isNull()


def test_snippets_are_escaped_and_only_the_marked_words_are_bold(controller, dialog, qtbot):
    with controller.session() as s:
        vendor = records.create(
            s, m.Vendor, name="Gadget <Shop>", notes="Tom & Jerry said <b>zebracorn</b> twice"
        )
        vendor_id = vendor.id
    type_and_wait(qtbot, dialog, "zebracorn")
    model = dialog.model
    (row,) = [r for r in range(model.rowCount()) if not model.index(r).data(IS_HEADER_ROLE)]
    index = model.index(row)
    assert (index.data(KIND_ROLE), index.data(ID_ROLE)) == ("vendor", vendor_id)
    html = index.data(SNIPPET_HTML_ROLE)
    assert "Tom &amp; Jerry" in html
    assert "&lt;b&gt;<b>zebracorn</b>&lt;/b&gt;" in html
    assert index.data(TITLE_HTML_ROLE) == "Gadget &lt;Shop&gt;"
    # the accessible text is plain text, without markers
    assert index.data() == "Gadget <Shop> — Tom & Jerry said <b>zebracorn</b> twice"
    assert snippet_html(f"a<{MARK_START}x{MARK_END}") == "a&lt;<b>x</b>"


def test_down_and_enter_open_the_selected_result(dialog, qtbot):
    type_and_wait(qtbot, dialog, "dish")
    results = [(kind, rid) for is_header, _, kind, rid in rows(dialog) if not is_header]
    assert len(results) >= 3
    assert dialog.selected() == results[0]
    qtbot.keyClick(dialog.field, Qt.Key.Key_Down)
    assert dialog.selected() == results[1]
    qtbot.keyClick(dialog.field, Qt.Key.Key_Down)
    assert dialog.selected() == results[2]  # across a section header
    qtbot.keyClick(dialog.field, Qt.Key.Key_Up)
    assert dialog.selected() == results[1]
    assert dialog.field.text() == "dish"  # the keys moved the selection, not the text cursor
    with qtbot.waitSignal(dialog.open_record) as opened:
        qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    assert opened.args == [results[1][0], results[1][1]]
    assert not dialog.isVisible()


def test_up_at_the_top_and_down_at_the_bottom_stay_on_results(dialog, qtbot):
    type_and_wait(qtbot, dialog, "warranty")
    results = [(kind, rid) for is_header, _, kind, rid in rows(dialog) if not is_header]
    qtbot.keyClick(dialog.field, Qt.Key.Key_Up)
    assert dialog.selected() == results[0]
    for _ in range(len(results) + 3):
        qtbot.keyClick(dialog.field, Qt.Key.Key_Down)
    assert dialog.selected() == results[-1]
    qtbot.keyClick(dialog.field, Qt.Key.Key_PageUp)
    assert dialog.selected() == results[-9]


def test_enter_typed_before_the_results_arrive_opens_the_best_match(controller, dialog, qtbot):
    with controller.session() as s:
        toyota = s.scalar(select(m.Vendor.id).where(m.Vendor.name.like("Toyota%")))
    with qtbot.waitSignal(dialog.open_record, timeout=5000) as opened:
        qtbot.keyClicks(dialog.field, "kruger")  # (QTest types ASCII only)
        qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    assert opened.args == ["vendor", toyota]


def test_no_match_says_so_and_escape_closes(dialog, qtbot):
    type_and_wait(qtbot, dialog, "qwertyuiop")
    assert dialog.model.rowCount() == 0
    assert dialog.status.text() == "No matches for “qwertyuiop”."
    with qtbot.assertNotEmitted(dialog.open_record):
        qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    assert dialog.isVisible()
    qtbot.keyClick(dialog.field, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_a_pasted_paragraph_is_searched_shortened_and_says_so(dialog, qtbot):
    dialog.field.setText("bosch " + " ".join(f"word{n}" for n in range(40)))  # pasted: 41 words
    qtbot.waitUntil(lambda: not dialog._pending, timeout=5000)
    told = dialog.status.text()
    assert told.startswith("No matches for “bosch word0 word1")  # (the text, cut short)
    assert told.endswith("”. The search was shortened: only its first 12 words were searched for.")


def test_typing_on_stops_the_search_running(controller, dialog, qtbot, monkeypatch):
    from vrmdesk.store.services import search

    asked: list[bool] = []
    real_run = search.run

    def run(*args, cancelled, **kw):  # type: ignore[no-untyped-def]
        asked.append(cancelled())
        controller.tasks.cancel_all()  # as typing on does (for this, the only task)
        asked.append(cancelled())
        return real_run(*args, cancelled=cancelled, **kw)

    monkeypatch.setattr(search, "run", run)
    dialog.field.setText("bosch")
    qtbot.waitUntil(lambda: len(asked) == 2, timeout=5000)
    qtbot.wait(50)
    assert asked == [False, True]
    assert dialog.model.rowCount() == 0  # the cancelled answer is never shown


def test_clearing_the_text_clears_the_results(dialog, qtbot):
    type_and_wait(qtbot, dialog, "bosch")
    assert dialog.model.result_count() > 0
    dialog.field.clear()
    qtbot.waitUntil(lambda: not dialog._pending)
    assert dialog.model.rowCount() == 0
    assert "Type to search" in dialog.status.text()


def test_locking_the_vault_closes_the_dialog(controller, dialog, qtbot):
    type_and_wait(qtbot, dialog, "bosch")
    controller.lock()
    assert not dialog.isVisible()


def test_results_model_on_its_own(qtmodeltester):
    model = SearchResultsModel()
    qtmodeltester.check(model)
    model.set_results(
        [
            Result("ticket", 3, "Leak", "Bosch", f"a {MARK_START}leak{MARK_END}", "ticket"),
            Result("vendor", 1, "Bosch", "", "", "vendor"),
            Result("ticket", 4, "Leak again", "Bosch", "", "ticket"),
        ],
        "leak",
    )
    assert [model.index(r).data() for r in range(model.rowCount())] == [
        "Vendors",
        "Bosch",
        "Tickets",
        "Leak — Bosch — a leak",
        "Leak again — Bosch",
    ]
    assert model.result_count() == 3
    qtmodeltester.check(model)
