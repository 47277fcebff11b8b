"""Importing CSV exports: HomeBox's and Warracker's, spreadsheets in several languages and
encodings, and files that are not what they claim. Checked against what the vault then holds."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from vrmdesk.interchange import csv_import as ci
from vrmdesk.interchange import csvfile
from vrmdesk.store import models as m
from vrmdesk.store.services import records, tags
from vrmdesk.store.vault import Vault

FIXTURES = Path(__file__).parent / "fixtures" / "csv"


def count(vault: Vault, cls: type[m.Base]) -> int:
    with vault.session() as s:
        return int(s.scalar(select(func.count()).select_from(cls)) or 0)


def run(vault: Vault, path: Path, kind: str = "assets", **choices: object) -> ci.Outcome:
    reading = choices.pop("reading", None)
    prepared = ci.prepare(path, kind, **choices)  # type: ignore[arg-type]
    if reading is not None:
        prepared = prepared.with_choices(reading=reading)  # type: ignore[arg-type]
    return ci.import_csv(vault, prepared)


def files_of(tree_hashes, folder: Path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Every file of the vault but SQLite's shared-memory index (which readers touch too)."""
    return {k: v for k, v in tree_hashes(folder).items() if not k.endswith("-shm")}


def asset(vault: Vault, name: str) -> m.Asset:
    with vault.session() as s:
        found = s.scalars(select(m.Asset).where(m.Asset.name == name)).one()
        found.maker, found.seller, list(found.warranties)  # loaded while the session is open
        return found


# -- HomeBox and Warracker -----------------------------------------------------------------------
def test_a_homebox_export_becomes_things_with_makers_sellers_tags_and_warranties(vault):
    outcome = run(vault, FIXTURES / "homebox.csv")
    assert outcome.committed and (outcome.created, outcome.problems) == (4, [])
    assert "HomeBox" in " ".join(outcome.notes)
    espresso = asset(vault, "Espresso machine")
    assert (espresso.maker.name, espresso.seller.name) == ("Rancilio", "Kaffeeland")
    assert (espresso.model, espresso.serial_number) == ("Silvia Pro X", "RSPX-221934")
    assert (espresso.price_minor, espresso.currency) == (149900, "EUR")
    assert espresso.location == "Home / Kitchen"
    assert "Dual boiler" in espresso.notes and "Descale monthly" in espresso.notes
    (warranty,) = espresso.warranties
    assert (warranty.title, str(warranty.ends_on)) == ("Maker's warranty 2 years", "2026-03-12")
    with vault.session() as s:
        assert tags.tags_of(s, s.get(m.Asset, espresso.id)) == ["Appliances", "Kitchen"]
    drill = asset(vault, "Cordless drill")
    assert drill.price_minor is None  # HomeBox writes an unset price as 0
    assert drill.warranties[0].title == "Lifetime warranty"
    assert asset(vault, "Old laptop").status == m.AssetStatus.SOLD
    assert asset(vault, "Garden hose").status == m.AssetStatus.DISPOSED


def test_importing_the_same_file_again_creates_nothing(vault):
    run(vault, FIXTURES / "homebox.csv")
    before = {cls: count(vault, cls) for cls in (m.Asset, m.Vendor, m.Warranty, m.Tagging)}
    again = run(vault, FIXTURES / "homebox.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert {cls: count(vault, cls) for cls in before} == before


def test_a_tag_the_vault_writes_in_another_case_is_not_a_change(vault):
    with vault.session() as s:
        tags.add_tag(s, records.create(s, m.Vendor, name="Tagged"), "kitchen")
    run(vault, FIXTURES / "homebox.csv")  # "Kitchen; Appliances": the vault's "kitchen" is used
    again = run(vault, FIXTURES / "homebox.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)


def test_a_changed_homebox_row_updates_its_thing_by_the_import_ref(vault, tmp_path):
    run(vault, FIXTURES / "homebox.csv")
    changed = tmp_path / "homebox.csv"
    text = (FIXTURES / "homebox.csv").read_text()
    changed.write_text(
        text.replace("Espresso machine,Dual boiler", "Espresso machine (dual),Dual boiler").replace(
            "1499.00", "1399.00"
        )
    )
    outcome = run(vault, changed)
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 1, 3)
    renamed = asset(vault, "Espresso machine (dual)")
    assert renamed.price_minor == 139900 and count(vault, m.Asset) == 4


def test_a_warracker_export_keeps_its_warranty_lengths(vault):
    outcome = run(vault, FIXTURES / "warracker.csv")
    assert (outcome.created, outcome.problems) == (3, [])
    vacuum = asset(vault, "Robot vacuum")
    assert vacuum.seller.name == "MediaMarkt" and vacuum.serial_number == "RV-88213-X"
    assert str(vacuum.warranties[0].ends_on) == "2027-02-10"
    headphones = asset(vault, "Headphones")
    assert str(headphones.warranties[0].ends_on) == "2027-12-01"  # 30 months from 2025-06-01
    assert asset(vault, "Winter jacket").warranties[0].title == "Lifetime"
    with vault.session() as s:
        assert tags.tags_of(s, s.get(m.Asset, vacuum.id)) == ["Cleaning", "Home"]


def test_makers_and_sellers_are_matched_by_name_whatever_the_case_and_spaces(vault, tmp_path):
    with vault.session() as s:
        records.create(s, m.Vendor, name="MediaMarkt")
    path = tmp_path / "t.csv"
    path.write_text("Name,Seller\nTV,  mediamarkt \nRadio,MEDIAMARKT\n")
    outcome = run(vault, path)
    assert outcome.vendors_created == [] and count(vault, m.Vendor) == 1


# -- languages, encodings, delimiters, dates ---------------------------------------------------
def test_a_german_spreadsheet_in_cp1252_with_semicolons_and_decimal_commas(vault):
    prepared = ci.prepare(FIXTURES / "things-de-cp1252.csv", "assets")
    assert (prepared.file.encoding, prepared.file.delimiter) == ("cp1252", ";")
    assert any("cp1252" in note for note in prepared.notes)  # detected, and said so
    assert prepared.reading.decimals == "," and prepared.reading.date_order == "dmy"
    outcome = ci.import_csv(vault, prepared)
    assert outcome.created == 2
    machine = asset(vault, "Waschmaschine")
    assert (machine.maker.name, machine.seller.name) == ("Miele", "Elektro Müller")
    assert (str(machine.purchase_date), machine.price_minor) == ("2025-04-13", 104900)
    assert asset(vault, "Kühlschrank").price_minor == 89950


@pytest.mark.parametrize("name", ["things-utf16.csv", "things-bom.csv"])
def test_utf16_and_a_byte_order_mark_are_read(vault, name):
    outcome = run(vault, FIXTURES / name)
    assert outcome.committed and outcome.created >= 1 and not outcome.problems
    with vault.session() as s:
        names = set(s.scalars(select(m.Asset.name)))
    assert names & {"Kettle", "Toaster", "Radio"}
    assert not any(n.startswith("\ufeff") for n in names)


def test_the_date_order_is_taken_from_the_column_itself(vault):
    prepared = ci.prepare(FIXTURES / "things-en.csv", "assets")
    assert prepared.reading.date_order == "dmy" and not prepared.undecided
    ci.import_csv(vault, prepared)
    assert str(asset(vault, "Dishwasher").purchase_date) == "2025-04-03"  # 03/04 is 3 April


def test_dates_that_read_both_ways_wait_for_the_persons_choice(vault, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Name,Purchase date\nLamp,03/04/2025\nDesk,05/06/2024\n")
    prepared = ci.prepare(path, "assets")
    assert prepared.undecided and "date order" in prepared.undecided[0]
    with pytest.raises(ci.CsvImportError, match="date order"):
        ci.import_csv(vault, prepared)
    assert count(vault, m.Asset) == 0
    chosen = prepared.with_choices(reading=ci.reading_from("mdy", None))
    ci.import_csv(vault, chosen)
    assert str(asset(vault, "Lamp").purchase_date) == "2025-03-04"
    again = ci.prepare(path, "assets", reading=ci.reading_from("%d/%m/%Y", None))
    assert not again.undecided


# -- problems are named, and nothing is half-imported ------------------------------------------
def test_a_bad_cell_names_its_line_and_column_and_nothing_is_written(vault, tmp_path, tree_hashes):
    path = tmp_path / "t.csv"
    path.write_text(
        "Name,Purchase date,Price\nLamp,2024-05-01,10.00\nChair,31/02/2024,12.00\n"
        "Desk,2024-06-01,lots\n"
    )
    before = files_of(tree_hashes, vault.folder)
    outcome = run(vault, path)
    assert not outcome.committed and count(vault, m.Asset) == 0
    assert [str(p) for p in outcome.problems] == [
        "line 3, Purchase date: '31/02/2024' is not a date",
        "line 4, Price: 'lots' is not an amount",
    ]
    assert outcome.to_json()["problems"][0] == {
        "line": 3,
        "column": "Purchase date",
        "reason": "'31/02/2024' is not a date",
    }
    assert files_of(tree_hashes, vault.folder) == before


def test_skipping_bad_rows_imports_the_others(vault, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Name,Purchase date\nLamp,2024-05-01\n,2024-05-02\nDesk,yesterday\n")
    prepared = ci.prepare(path, "assets")
    outcome = ci.import_csv(vault, prepared, skip_bad_rows=True)
    assert outcome.committed and (outcome.created, outcome.skipped) == (1, 2)
    assert {p.line for p in outcome.problems} == {3, 4}
    assert "needs a name" in outcome.problems[0].reason


def test_a_dry_run_says_what_would_happen_and_writes_nothing(vault, tree_hashes):
    before = files_of(tree_hashes, vault.folder)
    prepared = ci.prepare(FIXTURES / "homebox.csv", "assets")
    outcome = ci.import_csv(vault, prepared, dry_run=True)
    assert outcome.created == 4 and not outcome.committed and outcome.dry_run
    assert [r.action for r in outcome.preview] == ["create"] * 4
    assert files_of(tree_hashes, vault.folder) == before


def test_ragged_rows_are_problems(vault, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Name,Maker\nLamp,Ikea,extra\nDesk\n")
    outcome = run(vault, path)
    assert [p.reason for p in outcome.problems] == [
        "has 3 cells; the header has 2",
        "has 1 cells; the header has 2",
    ]


def test_formula_looking_cells_are_kept_as_text(vault):
    outcome = run(vault, FIXTURES / "formulas.csv")
    assert outcome.created == 2
    with vault.session() as s:
        names = sorted(s.scalars(select(m.Asset.name)))
        notes = sorted(s.scalars(select(m.Asset.notes)))
    assert names == ['=HYPERLINK("http://evil.example","click")', "@SUM(A1)"]
    assert notes == ["+1 555", "-not a number"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"\n\n", "is empty"),
        (b"Name,Maker\n", "no rows"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "not a CSV file"),
        (b",,\n1,2,3\n", "no header row"),
        (b"Colour,Size\nred,L\n", "No column is mapped to Name"),
    ],
    ids=["empty", "blank lines", "header only", "a picture", "no header names", "no name column"],
)
def test_files_that_are_not_spreadsheets_are_refused_with_a_reason(
    vault, tmp_path, content, message
):
    path = tmp_path / "t.csv"
    path.write_bytes(content)
    with pytest.raises((csvfile.CsvError, ci.CsvImportError), match=message):
        ci.prepare(path, "assets")


def test_duplicated_header_names_are_told_apart(vault, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Name,Notes,Notes\nLamp,first,second\n")
    prepared = ci.prepare(path, "assets")
    assert prepared.file.headers == ["Name", "Notes", "Notes (2)"]
    assert any("Two columns are named 'Notes'" in n for n in prepared.notes)


def test_a_mapping_given_by_the_person_wins_and_is_checked(vault, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Gegenstand,Bought at,Colour\nLamp,Ikea,red\n")
    with pytest.raises(ci.CsvImportError, match="name"):  # nothing is mapped to the name
        ci.prepare(path, "assets")
    prepared = ci.prepare(
        path, "assets", columns=ci.parse_map(["Gegenstand=name", "Bought at=seller"])
    )
    ci.import_csv(vault, prepared)
    assert asset(vault, "Lamp").seller.name == "Ikea"
    with pytest.raises(ci.CsvImportError, match="no column 'Colour '"):
        ci.prepare(path, "assets", columns={"Colour ": "notes"})
    with pytest.raises(ci.CsvImportError, match="not a field of things"):
        ci.prepare(path, "assets", columns={"Colour": "shoe_size"})


# -- the other kinds -----------------------------------------------------------------------------
def test_vendors_with_their_e_mail_phone_and_account_number(vault, tmp_path):
    path = tmp_path / "v.csv"
    path.write_text(
        "Company,Website,E-mail,Phone,Customer number\n"
        "Bosch,bosch-home.example,service@bosch-home.example,+49 89 1234,K-77\n"
    )
    assert run(vault, path, "vendors").created == 1
    assert run(vault, path, "vendors").unchanged == 1
    with vault.session() as s:
        bosch = records.find_vendor(s, "Bosch")
        assert {c.value for c in bosch.channels} == {"service@bosch-home.example", "+49 89 1234"}
        assert [a.number for a in bosch.accounts] == ["K-77"]


def test_tickets_and_interactions_find_their_vendor_thing_and_ticket(vault, tmp_path):
    run(vault, FIXTURES / "homebox.csv")
    tickets = tmp_path / "t.csv"
    tickets.write_text(
        "Vendor,Title,Thing,Reference,Status,Opened on\n"
        "Rancilio,Pump is loud,RSPX-221934,RC-1,waiting on vendor,2025-01-10\n"
    )
    assert run(vault, tickets, "tickets").created == 1
    messages = tmp_path / "i.csv"
    messages.write_text(
        "Vendor,When,Direction,Channel,Subject,Ticket\n"
        "Rancilio,2025-01-10 09:30,out,e-mail,Pump noise,RC-1\n"
        "Rancilio,2025-01-11 14:05,in,mail,Send us a video,Pump is loud\n"
    )
    assert run(vault, messages, "interactions").created == 2
    with vault.session() as s:
        ticket = s.scalars(select(m.Ticket)).one()
        assert ticket.status == m.TicketStatus.WAITING_ON_VENDOR
        assert ticket.asset.name == "Espresso machine"
        sent = s.scalars(select(m.Interaction).order_by(m.Interaction.occurred_at)).all()
        assert [(i.direction, i.ticket_id, i.occurred_at.strftime("%H:%M")) for i in sent] == [
            (m.Direction.OUTBOUND, ticket.id, "09:30"),
            (m.Direction.INBOUND, ticket.id, "14:05"),
        ]


def test_warranties_and_service_events_name_their_thing(vault, tmp_path):
    run(vault, FIXTURES / "homebox.csv")
    path = tmp_path / "w.csv"
    path.write_text(
        "Thing,Provider,Title,Starts,Ends\nCordless drill,Makita,Extended,2024-01-01,"
        "2027-01-01\nNo such thing,Makita,Extended,2024-01-01,2027-01-01\n"
    )
    outcome = run(vault, path, "warranties")
    assert [str(p) for p in outcome.problems] == [
        "line 3, Thing: there is no thing called 'No such thing' (nor with that serial number)"
    ]
    events = tmp_path / "s.csv"
    events.write_text(
        "Thing,What was done,Done on,Cost\nEspresso machine,Descaled,2025-02-01,25.00\n"
    )
    assert run(vault, events, "service_events").created == 1


def test_a_large_file_is_streamed(vault, tmp_path):
    path = tmp_path / "big.csv"
    with path.open("w") as f:
        f.write("Name,Maker,Serial number,Purchase date,Price\n")
        for i in range(3000):
            f.write(f"Thing {i},Maker {i % 40},SN-{i:06d},2024-01-{i % 28 + 1:02d},{i}.50\n")
    seen: list[int] = []
    prepared = ci.prepare(path, "assets")
    outcome = ci.import_csv(vault, prepared, progress=lambda done, total, _: seen.append(done))
    assert outcome.created == 3000 and len(outcome.vendors_created) == 40
    assert seen[-1] == 3000 and len(seen) > 10
    assert len(outcome.preview) == ci.PREVIEW_ROWS


def test_a_cancel_changes_nothing(vault, tmp_path):
    shutil.copy(FIXTURES / "things-en.csv", tmp_path / "t.csv")
    big = tmp_path / "t.csv"
    with big.open("a") as f:
        for i in range(600):
            f.write(f"Thing {i},Acme,,13/04/2025,1.00,EUR,Hall,Misc\n")

    class Stop(Exception):
        pass

    def cancel(done: int, total: int, text: str) -> None:
        raise Stop

    with pytest.raises(Stop):
        ci.import_csv(vault, ci.prepare(big, "assets"), progress=cancel)
    assert count(vault, m.Asset) == 0 and count(vault, m.Vendor) == 0


def test_a_cancel_asked_between_rows_rolls_everything_back(vault, tmp_path):
    import threading

    big = tmp_path / "t.csv"
    big.write_text("Name,Maker\n" + "".join(f"Thing {i},Acme {i % 7}\n" for i in range(400)))
    asked: list[int] = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) > 300  # the person cancels after 300 rows were written

    with pytest.raises(ci.ImportCancelled, match="nothing was imported"):
        ci.import_csv(vault, ci.prepare(big, "assets"), cancelled=cancelled)
    assert count(vault, m.Asset) == 0 and count(vault, m.Vendor) == 0
    stop = threading.Event()
    stop.set()
    with pytest.raises(ci.ImportCancelled):
        ci.import_csv(vault, ci.prepare(big, "assets"), cancelled=stop)
    assert count(vault, m.Asset) == 0


# -- the mapping a person chose is offered again ---------------------------------------------
def test_the_last_mapping_for_a_header_row_is_remembered_per_kind(vault):
    from vrmdesk.interchange import mappings
    from vrmdesk.interchange.values import Reading

    headers = ["Bezeichnung", "Gekauft am", "Preis"]
    chosen = {"Bezeichnung": "name", "Gekauft am": "purchase_date", "Preis": "price"}
    reading = Reading(date_order="dmy", decimals=",")
    with vault.session() as s:
        assert mappings.recall(s, "assets", headers) is None
        mappings.remember(s, "assets", headers, chosen, reading)
    with vault.session() as s:
        remembered = mappings.recall(s, "assets", headers)
        assert remembered is not None
        assert (remembered.columns, remembered.reading) == (chosen, reading)
        # another kind, or another header row, is another file
        assert mappings.recall(s, "vendors", headers) is None
        assert mappings.recall(s, "assets", [*headers, "Seriennummer"]) is None
        # choosing again replaces what was remembered
        mappings.remember(s, "assets", headers, {"Bezeichnung": "name"}, Reading())
    with vault.session() as s:
        again = mappings.recall(s, "assets", headers)
        assert again is not None and again.columns == {"Bezeichnung": "name"}
        assert again.reading == Reading()


def test_a_damaged_remembered_mapping_is_as_good_as_none(vault):
    from vrmdesk.interchange import mappings
    from vrmdesk.interchange.values import Reading

    headers = ["Name"]
    with vault.session() as s:
        mappings.remember(s, "assets", headers, {"Name": "name"}, Reading())
    with vault.session() as s:
        row = s.get(m.Meta, mappings._key("assets", headers))
        row.value = "{not json"
    with vault.session() as s:
        assert mappings.recall(s, "assets", headers) is None


# -- a large file: written in batches, read back whole -----------------------------------------
def test_a_large_file_with_warranties_and_a_repeated_serial_imports_every_row_once(vault, tmp_path):
    from vrmdesk.store.services import search

    rows = ["Name,Maker,Serial number,Purchase date,Warranty months"]
    rows += [f"Kettle {i},Maker {i % 7},SN{i:05d},2025-01-{1 + i % 28:02d},24" for i in range(1200)]
    rows.append("Kettle 5 again,Maker 5,SN00005,2025-01-06,36")  # the same thing, seen again
    path = tmp_path / "many.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    outcome = run(vault, path)
    assert outcome.committed and outcome.problems == []
    assert (outcome.created, outcome.updated) == (1200, 1)
    assert count(vault, m.Asset) == 1200 and count(vault, m.Vendor) == 7
    assert count(vault, m.Warranty) == 1200  # one each: the row seen again changes its length
    with vault.session() as s:
        again = s.scalars(select(m.Asset).where(m.Asset.serial_number == "SN00005")).one()
        assert again.name == "Kettle 5 again" and again.maker.name == "Maker 5"
        assert [w.months for w in again.warranties] == [36]
        # the full-text index has the records written in batches
        assert [hit.id for hit in search.search(s, "Kettle 1199")][:1] == [
            s.scalars(select(m.Asset.id).where(m.Asset.name == "Kettle 1199")).one()
        ]
    assert run(vault, path).created == 0  # and again: nothing new


def test_a_vendor_named_twice_in_one_file_gets_its_e_mail_once(vault, tmp_path):
    path = tmp_path / "vendors.csv"
    path.write_text(
        "Name,E-mail,Phone\nAcme,help@acme.example,+49 30 1234\n"
        "Bolt,hi@bolt.example,\n ACME ,help@acme.example,+49 30 1234\n",
        encoding="utf-8",
    )
    outcome = run(vault, path, "vendors")
    assert outcome.committed and outcome.problems == []
    assert count(vault, m.Vendor) == 2
    with vault.session() as s:
        values = sorted(s.scalars(select(m.Channel.value)))
    assert values == ["+49 30 1234", "help@acme.example", "hi@bolt.example"]


def test_preset_none_reads_a_homebox_file_as_a_plain_spreadsheet(vault):
    detected = ci.prepare(FIXTURES / "homebox.csv", "assets")
    assert detected.preset is not None and detected.source == "homebox"
    plain = ci.prepare(FIXTURES / "homebox.csv", "assets", preset="none")
    assert plain.preset is None and plain.source == "csv"
    assert not any("HomeBox" in note for note in plain.notes)
    assert plain.columns["HB.name"] == "name"  # still guessed from the column names


def test_bought_at_is_guessed_as_the_seller():
    from vrmdesk.interchange import fields

    assert fields.guess("assets", ["Item", "Bought at", "Bought on"])["Bought at"] == "seller"
