"""The vendor page's "My terms…": the roster with its summary, proffer, the vendor's answer
imported, withdraw; and the proposal for a vendor over my contact policy (vendor page, Home)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from ui_helpers import vendor_id
from vrmshare import roster
from vrmshare.reply import ReplyContent, keygen, load_signing_key, write_reply
from vrmshare.verify import verify_bundle

from vrmdesk.store import models as m
from vrmdesk.store.services import myterms as service
from vrmdesk.ui.core.preferences import Preferences
from vrmdesk.ui.home.page import HomePage
from vrmdesk.ui.vendors.terms_dialog import TermsDialog

pytestmark = pytest.mark.usefixtures("private_settings")

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def page(vendors_page):  # type: ignore[no-untyped-def]
    return vendors_page


def open_dialog(page, controller, qtbot, name: str) -> TermsDialog:
    page.show_vendor(vendor_id(controller, name))
    page.page.terms_action.trigger()  # Requests ▸ My terms…
    dialog = page.page.findChild(TermsDialog)
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_pick_an_agreement_see_its_summary_proffer_and_import_the_answer(
    page, controller, qtbot, tmp_path: Path
):
    dialog = open_dialog(page, controller, qtbot, "Bosch Home Appliances")
    assert "No terms proffered to Bosch Home Appliances yet." in dialog.state.text()
    assert not dialog.withdraw_button.isEnabled()
    assert not dialog.message.isVisible()  # Bosch keeps to my contact policy
    dialog.agreement.setFocus()
    qtbot.keyClicks(dialog.agreement, "SD-BASE")
    assert dialog.chosen() == "SD-BASE"
    assert dialog.summary.toPlainText() == roster.agreement("SD-BASE").summary
    assert "https://myterms.info/" in dialog.source.text()
    out = dialog.proffer(str(tmp_path / "bosch-terms.vrmshare"))
    assert out is not None and verify_bundle(out).purpose == "terms_proffer"
    assert "Proffered" in dialog.state.text() or "proffered" in dialog.state.text()
    assert dialog.history.rowCount() == 1 and dialog.history.item(0, 1).text() == "Proffered"
    # the vendor accepts; its reply comes in through the program's Import reply flow
    key = tmp_path / "bosch.jwk"
    keygen(key)
    answer = write_reply(
        verify_bundle(out),
        load_signing_key(key),
        ReplyContent(accept_terms=True),
        tmp_path / "answer.vrmshare",
    ).path
    flow = dialog.import_answer(str(answer))
    qtbot.waitUntil(lambda: flow.key_box is not None, timeout=10000)
    qtbot.mouseClick(flow.key_box.button(flow.key_box.StandardButton.Yes), LEFT)
    qtbot.waitUntil(lambda: dialog.history.item(0, 1).text() == "Accepted", timeout=10000)
    assert "accepted by the vendor: in force" in dialog.state.text()
    # withdraw it
    qtbot.mouseClick(dialog.withdraw_button, LEFT)
    assert dialog.history.item(0, 1).text() == "Withdrawn"
    with controller.session() as s:
        assert service.in_force(s, vendor_id(controller, "Bosch Home Appliances")) is None


def test_a_proffer_without_my_name_is_refused_and_writes_nothing(
    page, controller, qtbot, tmp_path: Path
):
    dialog = open_dialog(page, controller, qtbot, "Bosch Home Appliances")
    dialog.sender_name.clear()
    with controller.session() as s:
        meta = s.get(m.Meta, "sender_name")
        if meta is not None:
            s.delete(meta)
    assert dialog.proffer(str(tmp_path / "x.vrmshare")) is None
    assert "Nothing was proffered" in dialog.error.text()
    assert not list(tmp_path.glob("*.vrmshare")) and dialog.history.rowCount() == 0


def test_a_vendor_over_my_policy_is_proposed_p2b1_with_a_drafted_message(page, controller, qtbot):
    page.show_vendor(vendor_id(controller, "Dyson"))
    vendor = page.page
    assert vendor.terms_proposal.isVisible() and "over your contact policy" in (
        vendor.terms_proposal.text()
    )
    qtbot.mouseClick(vendor.terms_propose_button, LEFT)
    dialog = vendor.findChild(TermsDialog)
    assert dialog is not None and dialog.chosen() == "P2B1"
    assert dialog.message.isVisible() and "Dear Dyson" in dialog.message.toPlainText()
    assert "#NoStalking" in dialog.message.toPlainText()
    # the proposal follows the picker
    qtbot.keyClicks(dialog.agreement, "SD-BASE")
    assert "SD-BASE" in dialog.message.toPlainText()


def test_home_proposes_my_terms_on_a_vendor_over_policy(controller, qtbot):
    home = HomePage(controller, Preferences())
    qtbot.addWidget(home)
    home.resize(1200, 800)
    home.show()
    controller.notify({"*"})
    section = home.sections["policy"]
    rows = [section.list.item(i) for i in range(section.list.count())]
    dyson = next(r for r in rows if r.text().startswith("Dyson"))
    assert "proffer my terms" in dyson.text()
    section.list.setCurrentItem(dyson)
    menu = home.row_menu("policy")
    assert menu is not None
    (action,) = [a for a in menu.actions() if "Proffer my terms" in a.text()]
    action.trigger()
    dialog = home.findChild(TermsDialog)
    assert dialog is not None and dialog.chosen() == "P2B1" and dialog.message.isVisible()


def test_the_share_wizard_shows_the_agreement_in_force_in_words(controller, qtbot, tmp_path):
    from vrmdesk.share import myterms
    from vrmdesk.ui.share.wizard import ShareWizard

    bosch = vendor_id(controller, "Bosch Home Appliances")
    proffer = myterms.proffer(controller.vault, bosch, "P2B1", tmp_path / "p.vrmshare")
    with controller.session() as s:
        service.record_answer(
            s,
            proffer.bundle_id,
            answer="accepted",
            alternative_id=None,
            answer_bundle_id="urn:uuid:00000000-0000-4000-8000-000000000009",
        )
    wizard = ShareWizard(controller, bosch, None)
    qtbot.addWidget(wizard)
    wizard.show()
    for _ in range(3):
        wizard.next()
    assert wizard.currentPage() is wizard.preview_page
    terms = wizard.preview_page.model.item(0)
    rows = {terms.child(i, 0).text(): terms.child(i, 1).text() for i in range(terms.rowCount())}
    assert rows["Agreement in force"].startswith("P2B1 version beta (#NoStalking)")
