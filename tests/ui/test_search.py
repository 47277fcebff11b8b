"""The search dialog: results as you type, grouped by kind, highlighted, chosen from the
keyboard; narrowed and paged: kind, vendor and days from the keyboard (Alt+K, Alt+V, Alt+F,
Alt+T; Alt+L clears), a record named by the words shown above those that mention them, tags on
the results, and "More results" for the next page."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy import insert, select

from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.store.services.search import MARK_END, MARK_START
from vrmdesk.ui.search import dialog as search_dialog
from vrmdesk.ui.search.dialog import SearchDialog
from vrmdesk.ui.search.model import (
    CONTEXT_ROLE,
    ID_ROLE,
    IS_HEADER_ROLE,
    KIND_ROLE,
    SECTIONS,
    SNIPPET_HTML_ROLE,
    TAGS_ROLE,
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
    # sections come where their best hit ranks: the warranties named "warranty" come first
    assert headers[0] == "Warranties" and {"Tickets", "Conversation"} <= set(headers)
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
        "Tickets",  # the best hit's section first, its hits in their order
        "Leak — Bosch — a leak",
        "Leak again — Bosch",
        "Vendors",
        "Bosch",
    ]
    assert model.result_count() == 3
    qtmodeltester.check(model)


# -- narrowed and paged ---------------------------------------------------------------------
def settle(qtbot, dlg: SearchDialog) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not dlg._pending and not dlg._timer.isActive(), timeout=5000)


def results(dlg: SearchDialog) -> list[tuple[str, str]]:
    model = dlg.model
    out = []
    for r in range(model.rowCount()):
        result = model.result_at(r)
        if result is not None:
            out.append((result.kind, result.title))
    return out


def alt(qtbot, dlg: SearchDialog, key: Qt.Key) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(QApplication.focusWidget() or dlg, key, Qt.KeyboardModifier.AltModifier)


def test_a_record_named_by_the_words_comes_above_those_that_only_mention_them(dialog, qtbot):
    qtbot.keyClicks(dialog.field, "dishwasher")
    settle(qtbot, dialog)
    shown = results(dialog)
    # the demo's vendors mention the dishwasher in their notes; the thing and a ticket are named
    mentions = [i for i, (kind, _) in enumerate(shown) if kind == "vendor"]
    named = [i for i, (_, title) in enumerate(shown) if "dishwasher" in title.lower()]
    assert mentions and named and max(named[:2]) < min(mentions)
    assert dialog.selected() is not None
    assert dialog.model.index(1).data(KIND_ROLE) in ("asset", "ticket")  # row 0 is a header


def test_results_carry_their_tags(dialog, qtbot):
    qtbot.keyClicks(dialog.field, "dishwasher")
    settle(qtbot, dialog)
    model = dialog.model
    row = next(r for r in range(model.rowCount()) if model.index(r).data(KIND_ROLE) == "asset")
    assert model.index(row).data(TAGS_ROLE) == ("kitchen",)
    assert "tags: kitchen" in model.index(row).data()


def test_filters_are_reached_by_keyboard_narrow_the_results_and_clear_at_once(
    dialog, controller, qtbot
):
    qtbot.keyClicks(dialog.field, "dishwasher")
    settle(qtbot, dialog)
    everything = results(dialog)
    assert {kind for kind, _ in everything} >= {"vendor", "asset", "ticket", "interaction"}
    assert not dialog.clear_filters_button.isEnabled()

    alt(qtbot, dialog, Qt.Key.Key_K)
    assert dialog.kind_filter.hasFocus()
    while dialog.kind_filter.currentData() != "ticket":
        qtbot.keyClick(dialog.kind_filter, Qt.Key.Key_Down)
    settle(qtbot, dialog)
    assert results(dialog) and {kind for kind, _ in results(dialog)} == {"ticket"}
    assert "(filtered)" in dialog.status.text()

    alt(qtbot, dialog, Qt.Key.Key_K)
    qtbot.keyClick(dialog.kind_filter, Qt.Key.Key_Home)  # any kind again
    alt(qtbot, dialog, Qt.Key.Key_V)
    vendor_line = dialog.vendor_filter.combo.lineEdit()
    assert vendor_line.hasFocus()
    qtbot.keyClicks(vendor_line, "MediaMarkt")
    settle(qtbot, dialog)
    with controller.session() as s:
        mediamarkt = records.find_vendor(s, "MediaMarkt").id
    assert dialog.scope().vendor_id == mediamarkt
    narrowed = results(dialog)
    assert narrowed and ("vendor", "MediaMarkt") in narrowed
    assert ("vendor", "Bosch Home Appliances") not in narrowed
    assert len(narrowed) < len(everything)

    alt(qtbot, dialog, Qt.Key.Key_F)
    assert dialog.since_filter.edit.hasFocus()
    qtbot.keyClicks(dialog.since_filter.edit, "2099-01-01")
    settle(qtbot, dialog)
    assert results(dialog) == [] and "No matches" in dialog.status.text()

    alt(qtbot, dialog, Qt.Key.Key_T)
    assert dialog.until_filter.edit.hasFocus()
    qtbot.keyClicks(dialog.until_filter.edit, "2098-01-01")
    settle(qtbot, dialog)
    assert "comes after" in dialog.status.text() and results(dialog) == []

    alt(qtbot, dialog, Qt.Key.Key_L)  # a button's letter clicks it a moment later
    qtbot.waitUntil(dialog.field.hasFocus)
    settle(qtbot, dialog)
    assert dialog.field.hasFocus() and dialog.field.text() == "dishwasher"
    assert dialog.kind_filter.currentData() is None
    assert dialog.vendor_filter.combo.currentText() == ""
    assert dialog.since_filter.edit.text() == dialog.until_filter.edit.text() == ""
    assert not dialog.clear_filters_button.isEnabled()
    assert results(dialog) == everything


def test_a_date_that_is_no_date_says_so_and_searches_nothing(dialog, qtbot):
    qtbot.keyClicks(dialog.field, "dishwasher")
    settle(qtbot, dialog)
    qtbot.keyClicks(dialog.since_filter.edit, "soon")
    settle(qtbot, dialog)
    assert "is not a date" in dialog.status.text() and results(dialog) == []


def test_more_results_adds_the_next_page_and_down_at_the_end_asks_for_it(
    dialog, controller, qtbot, monkeypatch
):
    monkeypatch.setattr(search_dialog, "LIMIT", 20)
    with controller.session() as s:
        vendor = records.find_vendor(s, "MediaMarkt").id
        s.execute(
            insert(m.Interaction),
            [
                {
                    "vendor_id": vendor,
                    "occurred_at": datetime(2024, 1, 1) + timedelta(hours=n),
                    "direction": m.Direction.INBOUND,
                    "channel": m.InteractionChannel.EMAIL,
                    "subject": f"Flyer {n}",
                    "body": "This week's zeppelin deals.",
                }
                for n in range(45)
            ],
        )
    qtbot.keyClicks(dialog.field, "zeppelin")
    settle(qtbot, dialog)
    assert dialog.model.result_count() == 20
    assert dialog.more_button.isVisible() and "more with Alt+M" in dialog.status.text()
    first_page = results(dialog)

    alt(qtbot, dialog, Qt.Key.Key_M)  # a button's letter clicks it a moment later
    qtbot.waitUntil(lambda: dialog.model.result_count() == 40)
    assert results(dialog)[:20] == first_page
    chosen = dialog.view.currentIndex().row()
    assert dialog.model.result_at(chosen) == dialog._results[20]  # the first of the new page

    dialog.field.setFocus()
    qtbot.keyClick(dialog.field, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    for _ in range(25):  # down to the last result, and once more
        qtbot.keyClick(dialog.field, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: dialog.model.result_count() == 45)
    assert not dialog.more_button.isVisible()
    assert len({(r.kind, r.id) for r in dialog._results}) == 45  # nothing twice
