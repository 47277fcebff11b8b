"""The merge engine's rules, one by one (vrmdesk.sync.merge; docs/sync.md, "Merging")."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from vrmshare.errors import ValidationError

from vrmdesk.sync import merge
from vrmdesk.sync.merge import AFTER_DELETE, CONCURRENT, ChangeRefused, MergeState

A = "a" * 32
B = "b" * 32
C = "c" * 32
GID = "0193a1b2-0000-7000-8000-000000000001"


def hlc(ms: int, device: str, counter: int = 0) -> str:
    return f"{ms:016d}-{counter:04x}-{device}"


class Device:
    """Stamps changes as one device would: its own seq 1, 2, 3 … and hlc at a given ms."""

    def __init__(self, device: str) -> None:
        self.device = device
        self.seq = 0

    def stamp(self, ms: int) -> dict[str, Any]:
        self.seq += 1
        return {"hlc": hlc(ms, self.device), "device": self.device, "seq": self.seq}

    def create(
        self, ms: int, gid: str = GID, kind: str = "vendor", **fields: Any
    ) -> dict[str, Any]:
        return {**self.stamp(ms), "op": "create", "kind": kind, "gid": gid, "fields": fields}

    def update(
        self, ms: int, base: dict[str, str | None], gid: str = GID, **fields: Any
    ) -> dict[str, Any]:
        change = {**self.stamp(ms), "op": "update", "kind": "vendor", "gid": gid}
        return {**change, "fields": fields, "base": base}

    def delete(self, ms: int, gid: str = GID) -> dict[str, Any]:
        return {**self.stamp(ms), "op": "delete", "kind": "vendor", "gid": gid, "fields": {}}


def merged(*batches: list[dict[str, Any]]) -> MergeState:
    state = MergeState()
    for batch in batches:
        merge.apply(state, batch)
    return state


def every_order(changes: list[dict[str, Any]]) -> list[MergeState]:
    """The state after each permutation, each change in a batch of its own."""
    return [merged(*([c] for c in order)) for order in itertools.permutations(changes)]


def assert_converge(changes: list[dict[str, Any]]) -> MergeState:
    states = every_order(changes)
    first = states[0]
    for other in states[1:]:
        assert other.to_json() == first.to_json()
        assert other.conflicts() == first.conflicts()
    assert merged(changes).to_json() == first.to_json()
    return first


def test_create_then_update_is_last_writer_wins_per_field() -> None:
    a, b = Device(A), Device(B)
    create = a.create(10, name="Bosch", city="Ulm")
    state = merged([create])
    upd = b.update(20, {"city": create["hlc"]}, city="Berlin")
    result = merge.apply(state, [upd])
    assert state.record(GID) == {"name": "Bosch", "city": "Berlin"}
    assert [(r.op, dict(r.fields)) for r in result.records] == [("update", {"city": "Berlin"})]
    assert result.applied == 1 and not result.opened


def test_an_older_update_arriving_late_does_not_overwrite() -> None:
    a, b = Device(A), Device(B)
    create = a.create(10, name="Bosch")
    new = a.update(30, {"name": create["hlc"]}, name="Bosch GmbH")
    old = b.update(20, {"name": create["hlc"]}, name="Robert Bosch")
    state = merged([create, new])
    result = merge.apply(state, [old])
    assert state.record(GID) == {"name": "Bosch GmbH"}
    assert result.records == ()  # nothing for the store to do
    # the two updates shared a base: concurrent, kept as a conflict, the later one in force
    (conflict,) = result.opened
    assert conflict.reason == CONCURRENT
    assert [v.value for v in conflict.values] == ["Robert Bosch", "Bosch GmbH"]
    assert conflict.winner.device == A


def test_the_same_ms_breaks_ties_by_device_id() -> None:
    a, b = Device(A), Device(B)
    create = a.create(10, name="x")
    from_a = a.update(50, {"name": create["hlc"]}, name="by a")
    from_b = b.update(50, {"name": create["hlc"]}, name="by b")
    state = assert_converge([create, from_a, from_b])
    assert state.record(GID) == {"name": "by b"}  # "bbb…" sorts after "aaa…"
    (conflict,) = state.conflicts()
    assert [v.device for v in conflict.values] == [A, B]


def test_duplicates_and_replays_are_skipped() -> None:
    a = Device(A)
    create = a.create(10, name="x")
    upd = a.update(20, {"name": create["hlc"]}, name="y")
    state = merged([create, upd, upd])
    result = merge.apply(state, [create, upd])
    assert (result.applied, result.skipped) == (0, 2)
    assert result.records == ()
    # a replayed change with the same (device, seq) is skipped even if its content differs
    forged = {**upd, "fields": {"name": "z"}, "hlc": hlc(99, A)}
    assert merge.apply(state, [forged]).skipped == 1
    assert state.record(GID) == {"name": "y"}
    assert state.applied_upto(A) == 2


def test_seqs_out_of_order_are_remembered_beyond_the_contiguous_run() -> None:
    a = Device(A)
    changes = [a.create(10 + i, gid=f"g{i}", name=str(i)) for i in range(5)]
    state = merged([changes[0]], [changes[3]], [changes[2]])
    assert state.applied_upto(A) == 1
    assert state.has_applied(A, 4) and not state.has_applied(A, 2)
    merge.apply(state, [changes[1]])
    assert state.applied_upto(A) == 4
    assert state.to_json()["seen"][A] == {"upto": 4, "beyond": []}


def test_an_update_before_its_create_converges_once_the_create_arrives() -> None:
    a, b = Device(A), Device(B)
    create = a.create(10, name="Bosch", city="Ulm")
    upd = b.update(20, {"city": create["hlc"]}, city="Berlin")
    state = MergeState()
    early = merge.apply(state, [upd])
    assert early.records == ()  # nothing to put in the vault yet: no create
    assert state.record(GID) is None
    late = merge.apply(state, [create])
    assert [(r.op, dict(r.fields)) for r in late.records] == [
        ("create", {"name": "Bosch", "city": "Berlin"})
    ]
    assert state.to_json() == merged([create, upd]).to_json()


def test_a_delete_is_final_and_a_later_edit_is_an_edited_after_delete_conflict() -> None:
    a, b = Device(A), Device(B)
    create = a.create(10, name="Bosch", city="Ulm")
    delete = a.delete(30)
    late = b.update(40, {"city": create["hlc"]}, city="Berlin")  # b had not seen the delete
    state = merged([create])
    result = merge.apply(state, [delete])
    assert [(r.op, r.gid) for r in result.records] == [("delete", GID)]
    result = merge.apply(state, [late])
    assert result.records == ()  # not applied: the record stays deleted
    assert state.record(GID) is None and state.is_deleted(GID)
    (conflict,) = result.opened
    assert (conflict.reason, conflict.field, conflict.base) == (AFTER_DELETE, "city", delete["hlc"])
    assert conflict.winner.value == "Berlin" and conflict.winner.device == B
    assert_converge([create, delete, late])


def test_an_edit_older_than_the_delete_is_no_conflict() -> None:
    a, b = Device(A), Device(B)
    create = a.create(10, name="Bosch")
    early = b.update(20, {"name": create["hlc"]}, name="Bosch AG")  # before the delete, by clock
    delete = a.delete(30)
    state = assert_converge([create, early, delete])
    assert state.conflicts() == [] and state.record(GID) is None


def test_delete_then_concurrent_updates() -> None:
    a, b, c = Device(A), Device(B), Device(C)
    create = a.create(10, name="Bosch", city="Ulm")
    delete = a.delete(30)
    upd_b = b.update(40, {"name": create["hlc"]}, name="B")
    upd_c = c.update(41, {"name": create["hlc"]}, name="C")
    state = assert_converge([create, delete, upd_b, upd_c])
    # one conflict for the field: the latest late edit; no "concurrent edit" on a deleted record
    (conflict,) = state.conflicts()
    assert conflict.reason == AFTER_DELETE and conflict.winner.value == "C"


def test_keep_deleted_closes_the_conflict_everywhere() -> None:
    a, b = Device(A), Device(B)
    create = a.create(10, name="Bosch")
    delete = a.delete(30)
    late = b.update(40, {"name": create["hlc"]}, name="late")
    state = merged([create, delete, late])
    (conflict,) = state.conflicts()
    keep = merge.keep_deleted(conflict, hlc=hlc(50, A), device=A, seq=a.seq + 1)
    result = merge.apply(state, [keep])
    assert result.closed == (conflict,) and state.conflicts() == []
    assert_converge([create, delete, late, keep])
    with pytest.raises(ValidationError):
        merge.resolve(conflict, "x", hlc=hlc(60, A), device=A, seq=9)


def test_restore_makes_a_new_record_with_the_late_values() -> None:
    a, b = Device(A), Device(B)
    create = a.create(10, name="Bosch", city="Ulm")
    delete = a.delete(30)
    late = b.update(40, {"city": create["hlc"]}, city="Berlin")
    state = merged([create, delete, late])
    new_gid = "0193a1b2-0000-7000-8000-000000000002"
    again = merge.restore(state, GID, new_gid, hlc=hlc(50, B), device=B, seq=2)
    result = merge.apply(state, [again])
    assert [(r.op, r.gid, dict(r.fields)) for r in result.records] == [
        ("create", new_gid, {"name": "Bosch", "city": "Berlin"})
    ]
    with pytest.raises(ValidationError):
        merge.restore(state, new_gid, "other", hlc=hlc(60, B), device=B, seq=3)


def test_concurrent_edit_kept_until_resolved_and_resolution_is_no_conflict() -> None:
    a, b = Device(A), Device(B)
    create = a.create(10, name="Bosch", phone="1")
    from_a = a.update(20, {"phone": create["hlc"]}, phone="2")
    from_b = b.update(25, {"phone": create["hlc"]}, phone="3")
    on_a = merged([create, from_a])
    result = merge.apply(on_a, [from_b])
    assert on_a.record(GID) == {"name": "Bosch", "phone": "3"}  # the merged value is in force
    (conflict,) = result.opened
    assert conflict.key == (GID, "phone", CONCURRENT, create["hlc"])
    assert [(v.value, v.device) for v in conflict.values] == [("2", A), ("3", B)]
    # the person on a picks "2": an update on top of the winner's hlc
    fix = merge.resolve(conflict, "2", hlc=hlc(30, A), device=A, seq=a.seq + 1)
    assert fix["base"] == {"phone": from_b["hlc"]}
    result = merge.apply(on_a, [fix])
    assert result.closed == (conflict,) and result.opened == ()
    assert on_a.record(GID) == {"name": "Bosch", "phone": "2"}
    on_b = assert_converge([create, from_a, from_b, fix])
    assert on_b.conflicts() == [] and on_b.to_json() == on_a.to_json()


def test_an_edit_on_top_of_the_merged_value_also_closes_the_conflict() -> None:
    a, b, c = Device(A), Device(B), Device(C)
    create = a.create(10, phone="1")
    from_a = a.update(20, {"phone": create["hlc"]}, phone="2")
    from_b = b.update(25, {"phone": create["hlc"]}, phone="3")
    # c saw both (the merged value is b's) and edited the field: it chose knowingly
    from_c = c.update(40, {"phone": from_b["hlc"]}, phone="4")
    assert assert_converge([create, from_a, from_b, from_c]).conflicts() == []


def test_same_value_from_two_devices_is_no_conflict() -> None:
    a, b = Device(A), Device(B)
    create = a.create(10, phone="1")
    from_a = a.update(20, {"phone": create["hlc"]}, phone="2")
    from_b = b.update(25, {"phone": create["hlc"]}, phone="2")
    assert assert_converge([create, from_a, from_b]).conflicts() == []


def test_concurrent_edits_of_different_fields_merge_without_conflict() -> None:
    a, b = Device(A), Device(B)
    create = a.create(10, name="Bosch", phone="1")
    from_a = a.update(20, {"name": create["hlc"]}, name="Bosch AG")
    from_b = b.update(25, {"phone": create["hlc"]}, phone="2")
    state = assert_converge([create, from_a, from_b])
    assert state.record(GID) == {"name": "Bosch AG", "phone": "2"} and state.conflicts() == []


def test_three_way_concurrent_edit() -> None:
    a, b, c = Device(A), Device(B), Device(C)
    create = a.create(10, phone="0")
    edits = [
        d.update(ms, {"phone": create["hlc"]}, phone=v)
        for d, ms, v in ((a, 20, "a"), (b, 22, "b"), (c, 21, "c"))
    ]
    state = assert_converge([create, *edits])
    (conflict,) = state.conflicts()
    assert [v.value for v in conflict.values] == ["a", "c", "b"] and state.record(GID) == {
        "phone": "b"
    }
    # a resolution made after seeing only two of them is reopened by a third with a greater hlc
    partial = merged([create, edits[0], edits[2]])
    (seen_two,) = partial.conflicts()
    fix = merge.resolve(seen_two, "a", hlc=hlc(30, A), device=A, seq=a.seq + 1)
    merge.apply(partial, [fix])
    assert partial.conflicts() == []
    result = merge.apply(partial, [edits[1]])
    (reopened,) = result.opened
    assert [v.value for v in reopened.values] == ["a", "c", "b"]
    assert partial.record(GID) == {"phone": "a"}  # the resolution (hlc 30) stays in force


def test_two_resolutions_of_one_conflict_conflict_again() -> None:
    a, b = Device(A), Device(B)
    create = a.create(10, phone="0")
    from_a = a.update(20, {"phone": create["hlc"]}, phone="a")
    from_b = b.update(22, {"phone": create["hlc"]}, phone="b")
    (conflict,) = merged([create, from_a, from_b]).conflicts()
    fix_a = merge.resolve(conflict, "a", hlc=hlc(30, A), device=A, seq=a.seq + 1)
    fix_b = merge.resolve(conflict, "b", hlc=hlc(31, B), device=B, seq=b.seq + 1)
    (again,) = assert_converge([create, from_a, from_b, fix_a, fix_b]).conflicts()
    assert again.base == from_b["hlc"] and [v.value for v in again.values] == ["a", "b"]


def test_true_and_one_are_different_values() -> None:
    a, b = Device(A), Device(B)
    create = a.create(10, flag=0)
    from_a = a.update(20, {"flag": create["hlc"]}, flag=True)
    from_b = b.update(22, {"flag": create["hlc"]}, flag=1)
    state = merged([create, from_a])
    result = merge.apply(state, [from_b])
    assert [dict(r.fields) for r in result.records] == [{"flag": 1}]
    assert len(state.conflicts()) == 1


def test_result_lists_blobs_and_orders_creates_by_clock() -> None:
    a = Device(A)
    vendor = a.create(10, gid="v", name="Bosch")
    asset = a.create(11, gid="t", kind="asset", vendor="v", blob="ab" * 32)
    result = merge.apply(MergeState(), [asset, vendor])
    assert [r.gid for r in result.records] == ["v", "t"]
    assert result.blobs == ("ab" * 32,)


def test_state_round_trips_through_json() -> None:
    a, b = Device(A), Device(B)
    create = a.create(10, name="Bosch", tags={"x": [1, 2]})
    from_a = a.update(20, {"name": create["hlc"]}, name="a")
    from_b = b.update(22, {"name": create["hlc"]}, name="b")
    other = b.create(5, gid="g2", name="gone")
    gone = b.delete(30, gid="g2")
    late = a.update(40, {"name": other["hlc"]}, gid="g2", name="late")
    state = merged(
        [create, from_a, from_b, other, gone, late], [b.update(50, {"x": None}, gid="g3", x=1)]
    )
    data = json.loads(json.dumps(state.to_json()))
    again = MergeState.from_json(data)
    assert again.to_json() == state.to_json()
    assert again.conflicts() == state.conflicts() and len(again.conflicts()) == 2
    with pytest.raises(ValidationError):
        MergeState.from_json({"format": "other"})
    with pytest.raises(ValidationError, match="damaged"):
        MergeState.from_json({"format": merge.STATE_FORMAT, "seen": {}, "records": {"g": {}}})


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ("text", "not a JSON object"),
        ({"device": "A" * 32}, "device"),
        ({"hlc": "12-0000-" + A}, "hlc is not"),
        ({"hlc": hlc(1, B)}, "another device"),
        ({"seq": 0}, "seq"),
        ({"seq": True}, "seq"),
        ({"op": "merge"}, "op"),
        ({"gid": ""}, "gid"),
        ({"fields": {"": 1}}, "fields"),
        ({"op": "delete"}, "no fields"),
        ({"op": "update", "fields": {}}, "no field"),
        ({"base": {"name": "yesterday"}}, "base of field 'name'"),
    ],
)
def test_a_malformed_change_refuses_the_batch_and_changes_nothing(change: Any, why: str) -> None:
    a = Device(A)
    good = a.create(10, name="Bosch")
    bad = {**a.create(20, gid="g2", name="x"), **change} if isinstance(change, dict) else change
    state = merged([a.create(5, gid="g0", name="first")])
    before = state.to_json()
    with pytest.raises(ChangeRefused, match=why):
        merge.apply(state, [good, bad])
    assert state.to_json() == before


def test_a_state_holding_only_the_records_a_batch_names_merges_them_alike() -> None:
    a, b = Device(A), Device(B)
    base = [a.create(10 + i, gid=f"g{i}", name=str(i), phone="0") for i in range(6)]
    full = merged(base)
    batch = [
        b.update(30, {"phone": base[1]["hlc"]}, gid="g1", phone="1"),
        a.update(31, {"phone": base[1]["hlc"]}, gid="g1", phone="2"),
        b.delete(32, gid="g4"),
        b.create(33, gid="g9", name="new"),
    ]
    partial = MergeState.from_json(full.to_json(records=False))  # seen changes only
    for gid in merge.gids_of(batch):
        known = full.record_json(gid)
        if known is not None:
            partial.load_record(gid, known)
    assert merge.gids_of(batch) == ["g1", "g4", "g9"]
    assert merge.apply(partial, batch) == merge.apply(full, batch)
    for gid in merge.gids_of(batch):
        assert partial.record_json(gid) == full.record_json(gid)
    assert partial.conflicts() == full.conflicts()
    with pytest.raises(ValidationError, match="g1"):
        partial.load_record("g1", {"kind": "vendor"})


def test_a_conflict_about_a_record_not_created_here_yet_opens_with_its_create() -> None:
    a, b = Device(A), Device(B)
    create = a.create(10, kind="asset", phone="0")
    from_a = a.update(20, {"phone": create["hlc"]}, phone="a")
    from_b = b.update(22, {"phone": create["hlc"]}, phone="b")
    state = merged([from_a, from_b])
    assert state.conflicts() == []  # the vault has no such record to show a conflict on
    result = merge.apply(state, [create])
    assert [(c.reason, c.kind) for c in result.opened] == [(CONCURRENT, "asset")]
    assert [(r.op, r.kind, dict(r.fields)) for r in result.records] == [
        ("create", "asset", {"phone": "b"})
    ]


def test_one_hlc_with_two_values_still_has_one_outcome() -> None:
    a = Device(A)
    create = a.create(10, phone="0")
    one = a.update(20, {"phone": create["hlc"]}, phone="x")
    forged = {**one, "seq": one["seq"] + 1, "fields": {"phone": "y"}}  # same hlc, another value
    state = assert_converge([create, one, forged])
    assert state.record(GID) == {"phone": "y"}
    assert [v.value for v in state.conflicts()[0].values] == ["x", "y"]
