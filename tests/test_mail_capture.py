"""Mail into the vault: mbox and Maildir, once only, Unsorted and learning a domain, offers and
reclassifying, tickets by case reference and by thread, outbound mail, batches that survive a
killed import, and the command line."""

from __future__ import annotations

import json
import mailbox
import signal
import subprocess
import sys
import time
from pathlib import Path

import mail_corpus as corpus

from vrmdesk.cli import main
from vrmdesk.mail import addresses, capture, sorting, sources
from vrmdesk.store import keys
from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.store.vault import Vault

PASSPHRASE = "correct horse"  # the vault fixture's (tests/conftest.py)


def msg(n: int, **kw: object) -> bytes:
    kw.setdefault("sender", f"Agent {n} <agent{n}@support.bosch.example>")
    kw.setdefault("message_id", f"<m{n}@bosch.example>")
    kw.setdefault("subject", f"Message {n}")
    return corpus.raw(**kw)  # type: ignore[arg-type]


def write_mbox(path: Path, messages: list[bytes]) -> Path:
    box = mailbox.mbox(path)
    for data in messages:
        box.add(data)
    box.close()
    return path


def run(vault: Vault, path: Path, **kw: object) -> capture.Outcome:
    return capture.import_messages(vault, sources.messages_of(path), **kw)  # type: ignore[arg-type]


def count(vault: Vault, cls: type[m.Base]) -> int:
    with vault.session() as s:
        return s.query(cls).count()


def test_mbox_import_is_stored_once_however_often(vault, bosch, tmp_path):
    path = write_mbox(tmp_path / "Inbox", [msg(i) for i in range(5)] + [msg(0)])
    first = run(vault, path)
    assert (first.imported, first.duplicates, first.problems) == (5, 1, [])
    again = run(vault, path)
    assert (again.imported, again.duplicates) == (0, 6)
    assert count(vault, m.Interaction) == 5
    with vault.session() as s:
        subjects = {i.subject for i in s.query(m.Interaction)}
    assert subjects == {f"Message {i}" for i in range(5)}


def test_maildir_import_and_a_thunderbird_folder_tree(vault, bosch, tmp_path):
    md = mailbox.Maildir(tmp_path / "Maildir")
    for i in range(3):
        md.add(msg(i))
    local = tmp_path / "Local Folders"
    (local / "Inbox.sbd").mkdir(parents=True)
    write_mbox(local / "Inbox", [msg(10)])
    write_mbox(local / "Inbox.sbd" / "Bosch", [msg(11), msg(1)])
    (local / "Inbox.msf").write_text("// index, not mail")
    assert run(vault, tmp_path / "Maildir").imported == 3
    outcome = run(vault, local)
    assert (outcome.imported, outcome.duplicates) == (2, 1)


def test_sent_folders_inside_a_thunderbird_tree_are_mine_going_out(
    vault, bosch, tmp_path, capsys, monkeypatch
):
    from vrmdesk.cli import main

    local = tmp_path / "Local Folders"
    (local / "Sent.sbd").mkdir(parents=True)
    write_mbox(local / "Inbox", [msg(1)])
    reply = {"sender": "Me <me@home.example>", "to": "Service <service@bosch.example>"}
    write_mbox(local / "Sent", [msg(2, **reply)])
    write_mbox(local / "Sent.sbd" / "2024", [msg(3, **reply)])
    incoming, outgoing = sources.by_direction([local])
    assert incoming == [local / "Inbox"]
    assert sorted(outgoing) == [local / "Sent", local / "Sent.sbd" / "2024"]
    folder = vault.paths.folder
    vault.close()
    monkeypatch.setenv("VRMDESK_PASSPHRASE", PASSPHRASE)
    assert main(["--vault", str(folder), "import", "mail", str(local)]) == 0
    assert "3 to the timeline" in capsys.readouterr().out
    reopened = Vault.open(folder, PASSPHRASE)
    with reopened.session() as s:
        directions = {i.subject: i.direction.value for i in s.query(m.Interaction)}
    reopened.close()
    assert directions == {
        "Message 1": "inbound",
        "Message 2": "outbound",
        "Message 3": "outbound",
    }


def test_unsorted_assign_learns_the_domain_and_sorts_the_rest(vault, tmp_path):
    path = write_mbox(
        tmp_path / "Inbox",
        [
            corpus.raw(sender="a@miele.example", message_id="<a@x>"),
            corpus.raw(sender="b@service.miele.example", message_id="<b@x>"),
            corpus.raw(sender="friend@gmail.com", message_id="<c@x>"),
        ],
    )
    assert run(vault, path).unsorted == 3
    with vault.session() as s:
        miele = records.create(s, m.Vendor, name="Miele").id
        rows = sorting.unsorted(s)
        first = next(r for r in rows if r.correspondent == "a@miele.example")
        done = sorting.assign(s, first.id, miele, learn_domain=True)
        assert (done.learnt, done.also_sorted) == ("@miele.example", 1)
        assert [r.correspondent for r in sorting.unsorted(s)] == ["friend@gmail.com"]
        (gmail,) = sorting.unsorted(s)
        # a free-mail domain is everybody's: the address is learnt, not the domain
        assert sorting.assign(s, gmail.id, miele, learn_domain=True).learnt == "friend@gmail.com"
    assert count(vault, m.Interaction) == 3 and count(vault, m.UnsortedMail) == 0
    # the next import sorts by what was learnt, and stores nothing twice
    again = run(vault, path)
    assert again.duplicates == 3
    later = tmp_path / "later.eml"
    later.write_bytes(corpus.raw(sender="c@miele.example", message_id="<d@x>"))
    assert run(vault, later).imported == 1


def test_dismissed_mail_stays_dismissed(vault, tmp_path):
    path = tmp_path / "a.eml"
    path.write_bytes(corpus.with_attachment(b"%PDF-1.4 x", message_id="<dismiss@x>"))
    run(vault, path)
    with vault.session() as s:
        (row,) = sorting.unsorted(s)
        assert row.files == 1
        sorting.dismiss(s, vault.attachments, row.id)
        assert sorting.unsorted(s) == []
        assert s.query(m.Attachment).count() == 0
    assert run(vault, path).duplicates == 1


def test_bulk_mail_is_an_offer_and_reclassifying_is_remembered(vault, bosch, tmp_path):
    news = tmp_path / "news.eml"
    news.write_bytes(
        msg(1, sender="news@bosch.example", extra={"List-Unsubscribe": "<mailto:u@bosch.example>"})
    )
    assert run(vault, news).offers == 1
    with vault.session() as s:
        (offer,) = s.query(m.Offer).all()
        assert offer.content.startswith("Message 1\n\nHello,")
        interaction = sorting.reclassify(s, "offer", offer.id, offer=False)
        assert interaction.message_id == "<m1@bosch.example>"
    second = tmp_path / "news2.eml"
    second.write_bytes(
        msg(2, sender="news@bosch.example", extra={"Precedence": "bulk"}),
    )
    assert run(vault, second).imported == 1  # the sender was said to be conversation
    with vault.session() as s:
        first = s.query(m.Interaction).filter_by(message_id="<m1@bosch.example>").one()
        sorting.reclassify(s, "interaction", first.id, offer=True)
    third = tmp_path / "news3.eml"
    third.write_bytes(msg(3, sender="news@bosch.example"))  # no bulk header at all
    assert run(vault, third).offers == 1


def test_a_case_reference_lands_on_its_ticket_and_the_thread_stays(vault, bosch, tmp_path):
    with vault.session() as s:
        ticket = records.create(s, m.Ticket, vendor_id=bosch, title="Pump", reference="1-234567")
        ticket_id = ticket.id
    first = tmp_path / "1.eml"
    first.write_bytes(msg(1, subject="Re: your request SR 1-234567 pump"))
    reply = tmp_path / "2.eml"
    reply.write_bytes(
        msg(
            2,
            subject="Re: Re: the pump",
            sender="me@home.example",
            to="agent1@support.bosch.example",
            extra={"In-Reply-To": "<m1@bosch.example>"},
        )
    )
    answer = tmp_path / "3.eml"
    answer.write_bytes(
        msg(3, subject="Technician booked", extra={"References": "<m1@bosch.example> <m2@x>"})
    )
    with vault.session() as s:
        addresses.set_own_addresses(s, ["Me@Home.example"])
    for path in (first, reply, answer):
        run(vault, path)
    with vault.session() as s:
        rows = s.query(m.Interaction).order_by(m.Interaction.id).all()
        assert [r.ticket_id for r in rows] == [ticket_id] * 3
        assert rows[1].direction == m.Direction.OUTBOUND
        assert rows[1].correspondent == "agent1@support.bosch.example"


def test_default_and_vendor_patterns_and_a_ticket_opened_from_a_message(vault, bosch, tmp_path):
    with vault.session() as s:
        sorting.set_case_reference_pattern(s, bosch, r"BSH-(\d+)")
        records.create(s, m.Ticket, vendor_id=bosch, title="Old", reference="BSH-4471")
    a = tmp_path / "a.eml"
    a.write_bytes(msg(1, subject="Update on BSH-4471"))
    b = tmp_path / "b.eml"
    b.write_bytes(msg(2, subject="[Ticket: 99881] opened"))
    run(vault, a)
    run(vault, b)
    with vault.session() as s:
        on_ticket, loose = s.query(m.Interaction).order_by(m.Interaction.id).all()
        assert on_ticket.ticket_id is not None and loose.ticket_id is None
        sorting.set_case_reference_pattern(s, bosch, "")
        opened = sorting.open_ticket(s, loose.id)
        assert (opened.reference, opened.title) == ("99881", "[Ticket: 99881] opened")
        assert loose.ticket_id == opened.id
    follow = tmp_path / "c.eml"
    follow.write_bytes(msg(3, subject="Re: opened", extra={"In-Reply-To": "<m2@bosch.example>"}))
    run(vault, follow)
    with vault.session() as s:
        latest = s.query(m.Interaction).filter_by(message_id="<m3@bosch.example>").one()
        assert latest.ticket_id == opened.id


def test_a_killed_import_leaves_whole_batches_and_the_next_run_completes(vault_dir, tmp_path):
    vault, _ = Vault.create(vault_dir, PASSPHRASE, kdf=keys.fast_params_for_tests())
    with vault, vault.session() as s:
        vendor = records.create(s, m.Vendor, name="Bosch")
        records.create(s, m.Channel, vendor_id=vendor.id, channel="email", value="bosch.example")
    total = 120
    path = write_mbox(tmp_path / "Inbox", [msg(i, body="x" * 2000) for i in range(total)])
    progress = tmp_path / "progress"
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys\n"
            "from pathlib import Path\n"
            "from vrmdesk.store.vault import Vault\n"
            "from vrmdesk.mail import capture, sources\n"
            "progress = Path(sys.argv[3])\n"
            "with Vault.open(Path(sys.argv[1]), sys.argv[4]) as v:\n"
            "    def step(n):\n"
            "        progress.write_text(str(n))\n"
            "        if n >= 25:\n"
            "            import time; time.sleep(60)\n"
            "    capture.import_messages(v, sources.messages_of(Path(sys.argv[2])), batch=10,"
            " on_message=step)\n",
            str(vault_dir),
            str(path),
            str(progress),
            PASSPHRASE,
        ],
    )
    try:
        deadline = time.monotonic() + 60
        while not (progress.exists() and progress.read_text() == "25"):
            assert time.monotonic() < deadline and child.poll() is None
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    with Vault.open(vault_dir, PASSPHRASE) as vault:
        assert count(vault, m.Interaction) == 20  # two whole batches, nothing of the third
        outcome = run(vault, path)
        assert (outcome.imported, outcome.duplicates) == (total - 20, 20)
        assert count(vault, m.Interaction) == total


def test_cli_import_mail_json_and_unsorted(vault, bosch, tmp_path, capsys, monkeypatch):
    vault_path = str(vault.paths.folder)
    vault.close()
    monkeypatch.setenv("VRMDESK_PASSPHRASE", PASSPHRASE)
    inbox = write_mbox(
        tmp_path / "Inbox",
        [
            msg(1),
            msg(2, extra={"List-Id": "<news.bosch.example>"}),
            corpus.raw(sender="x@unknown.example", message_id="<u@x>", subject="Who?"),
            corpus.nested(40),
        ],
    )
    eml = tmp_path / "one.eml"
    eml.write_bytes(msg(1))
    code = main(["--vault", vault_path, "import", "mail", str(inbox), str(eml), "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 1
    assert {k: result[k] for k in ("imported", "offers", "unsorted", "duplicates")} == {
        "imported": 1,
        "offers": 1,
        "unsorted": 1,
        "duplicates": 1,
    }
    assert "nested more than" in result["problems"][0]["reason"]
    assert main(["--vault", vault_path, "mail", "unsorted", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["correspondent"], row["subject"]) == ("x@unknown.example", "Who?")
    assert (
        main(
            [
                "--vault",
                vault_path,
                "mail",
                "assign",
                str(row["id"]),
                "--vendor",
                "Bosch",
                "--learn-domain",
            ]
        )
        == 0
    )
    assert "Learnt @unknown.example for Bosch" in capsys.readouterr().out
    assert main(["--vault", vault_path, "mail", "unsorted"]) == 0
    assert "No unsorted mail." in capsys.readouterr().out
    assert main(["--vault", vault_path, "import", "mail", str(tmp_path / "nothing")]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert main(["--vault", vault_path, "import", "mail", str(eml), "--vendor", "Nobody"]) == 1
    assert main(["--vault", vault_path, "mail", "me", "me@home.example"]) == 0
