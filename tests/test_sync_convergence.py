"""Three devices, random edits, random exchanges: every device converges (issue 15, merging).

A hypothesis stateful test (RuleBasedStateMachine). Each of three devices keeps its own
:class:`MergeState`, its own hybrid logical clock (with its own skew) and its own outbox. Rules
create records, edit several fields (sometimes two devices from the same base at once), change
attachments (a ``blob`` field holding a sha256), delete, resolve conflicts, and deliver a device's
changes to another in random order, partially (a delay), and with duplicates. Invariants hold
after every step: what each device's results told its store (a mirror built only from the
:class:`MergeResult`s) equals the state's records, and likewise the open conflicts. After every
device has received everything, all three have identical states, identical records and identical
open conflicts, equal to one fresh state that applied all changes in a single batch.

The normal suite runs 25 examples of up to 40 steps (a few seconds); ``HYPOTHESIS_PROFILE=deep``
runs 1000 examples of up to 100 steps.
"""

from __future__ import annotations

import hashlib
import os
import random
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from vrmdesk.sync import merge
from vrmdesk.sync.merge import AFTER_DELETE, Conflict, MergeResult, MergeState

DEVICES = ("1" * 32, "5" * 32, "e" * 32)
FIELDS = ("name", "phone", "city", "blob")
VALUES = st.sampled_from(["a", "b", "c", "", None, 1, True])

PROFILES = {
    "default": settings(
        max_examples=25,
        stateful_step_count=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    ),
    "deep": settings(
        max_examples=1000,
        stateful_step_count=100,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    ),
}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Sim:
    """One device: its merge state, clock, seq, outbox and what its store was told."""

    def __init__(self, device: str, skew: int) -> None:
        self.device = device
        self.skew = skew
        self.state = MergeState()
        self.wall = 0
        self.counter = 0
        self.seq = 0
        self.outbox: list[dict[str, Any]] = []
        self.mirror: dict[str, tuple[str, dict[str, Any]]] = {}
        self.open: dict[tuple[str, str, str, str], Conflict] = {}

    # the clock of the contract (Kulkarni et al.): issue, and take in a received timestamp
    def _advance(self, wall: int) -> None:
        if wall > self.wall:
            self.wall, self.counter = wall, 0
        else:
            self.counter += 1

    def next_stamp(self, now: int) -> dict[str, Any]:
        self._advance(now + self.skew)
        self.seq += 1
        hlc = f"{self.wall:016d}-{self.counter:04x}-{self.device}"
        return {"hlc": hlc, "device": self.device, "seq": self.seq}

    def receive(self, hlc: str, now: int) -> None:
        wall, counter = int(hlc[:16]), int(hlc[17:21], 16)
        top = max(self.wall, wall, now + self.skew)
        if top == self.wall == wall:
            self.counter = max(self.counter, counter) + 1
        elif top == self.wall:
            self.counter += 1
        elif top == wall:
            self.counter = counter + 1
        else:
            self.counter = 0
        self.wall = top

    def take(self, result: MergeResult) -> None:
        for rec in result.records:
            if rec.op == "create":
                assert rec.gid not in self.mirror
                self.mirror[rec.gid] = (rec.kind, dict(rec.fields))
            elif rec.op == "update":
                assert rec.fields
                self.mirror[rec.gid][1].update(rec.fields)
            else:
                del self.mirror[rec.gid]
        for c in result.closed:
            assert self.open.pop(c.key) == c
        for c in result.opened:
            self.open[c.key] = c

    def local(self, change: dict[str, Any]) -> None:
        """A change made here: applied to the own state and put in the outbox."""
        self.outbox.append(change)
        self.take(merge.apply(self.state, [change]))

    def deliver(self, changes: list[dict[str, Any]], now: int) -> None:
        self.take(merge.apply(self.state, changes))
        if changes:
            self.receive(max(c["hlc"] for c in changes), now)


class Convergence(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = 1_764_612_345_000
        self.sims = [Sim(d, skew) for d, skew in zip(DEVICES, (0, 7, -5), strict=True)]
        self.gids = 0

    def _live(self, sim: Sim) -> list[str]:
        return sorted(sim.state.records())

    @rule(ms=st.integers(0, 30))
    def tick(self, ms: int) -> None:
        self.now += ms

    @rule(who=st.integers(0, 2), values=st.fixed_dictionaries(dict.fromkeys(FIELDS[:3], VALUES)))
    def create(self, who: int, values: dict[str, Any]) -> None:
        self.gids += 1
        sim = self.sims[who]
        fields = {**values, "blob": None}
        stamp = sim.next_stamp(self.now)
        sim.local(
            {**stamp, "op": "create", "kind": "asset", "gid": f"g{self.gids:04d}", "fields": fields}
        )

    def _edit(self, sim: Sim, gid: str, fields: dict[str, Any]) -> None:
        base = {f: sim.state.field_hlc(gid, f) for f in fields}
        stamp = sim.next_stamp(self.now)
        sim.local(
            {**stamp, "op": "update", "kind": "asset", "gid": gid, "fields": fields, "base": base}
        )

    @rule(who=st.integers(0, 2), data=st.data())
    def edit(self, who: int, data: st.DataObject) -> None:
        sim = self.sims[who]
        live = self._live(sim)
        if not live:
            return
        gid = data.draw(st.sampled_from(live))
        names = data.draw(st.sets(st.sampled_from(FIELDS[:3]), min_size=1))
        self._edit(sim, gid, {n: data.draw(VALUES) for n in sorted(names)})

    @rule(who=st.integers(0, 2), content=st.binary(max_size=4), data=st.data())
    def attach(self, who: int, content: bytes, data: st.DataObject) -> None:
        sim = self.sims[who]
        live = self._live(sim)
        if live:
            self._edit(sim, data.draw(st.sampled_from(live)), {"blob": sha(content)})

    @rule(pair=st.permutations(range(3)), data=st.data())
    def concurrent_edit(self, pair: list[int], data: st.DataObject) -> None:
        one, two = self.sims[pair[0]], self.sims[pair[1]]
        shared = [
            (gid, f)
            for gid in self._live(one)
            for f in FIELDS
            if two.state.record(gid) is not None
            and one.state.field_hlc(gid, f) == two.state.field_hlc(gid, f)
        ]
        if not shared:
            return
        gid, name = data.draw(st.sampled_from(shared))
        self._edit(one, gid, {name: data.draw(VALUES)})
        self._edit(two, gid, {name: data.draw(VALUES)})

    @rule(who=st.integers(0, 2), data=st.data())
    def delete(self, who: int, data: st.DataObject) -> None:
        sim = self.sims[who]
        live = self._live(sim)
        if live:
            gid = data.draw(st.sampled_from(live))
            stamp = sim.next_stamp(self.now)
            sim.local({**stamp, "op": "delete", "kind": "asset", "gid": gid, "fields": {}})

    @rule(who=st.integers(0, 2), data=st.data())
    def resolve(self, who: int, data: st.DataObject) -> None:
        sim = self.sims[who]
        conflicts = sim.state.conflicts()
        if not conflicts:
            return
        conflict = data.draw(st.sampled_from(conflicts))
        stamp = sim.next_stamp(self.now)
        if conflict.reason == AFTER_DELETE:
            change = merge.keep_deleted(conflict, **stamp)
        else:
            choice = data.draw(st.sampled_from([v.value for v in conflict.values] + ["fresh"]))
            change = merge.resolve(conflict, choice, **stamp)
        sim.local(change)
        assert conflict.key not in {c.key for c in sim.state.conflicts()}

    @rule(src=st.integers(0, 2), dst=st.integers(0, 2), data=st.data())
    def deliver(self, src: int, dst: int, data: st.DataObject) -> None:
        """Some of src's changes reach dst: any of them, in any order, some twice, in batches."""
        outbox = self.sims[src].outbox
        if src == dst or not outbox:
            return
        picked = data.draw(st.lists(st.sampled_from(outbox), max_size=len(outbox) + 2))
        cut = data.draw(st.integers(0, len(picked)))
        self.sims[dst].deliver(picked[:cut], self.now)
        self.sims[dst].deliver(picked[cut:], self.now)

    @precondition(lambda self: any(s.outbox for s in self.sims))
    @rule(order=st.randoms(use_true_random=False))
    def sync_everything(self, order: Any) -> None:
        self.everyone_gets_everything(order)

    def everyone_gets_everything(self, order: Any) -> None:
        every = [c for s in self.sims for c in s.outbox]
        for sim in self.sims:
            mine = list(every)
            order.shuffle(mine)
            sim.deliver(mine, self.now)
        reference = MergeState()
        merge.apply(reference, every)
        expected = reference.to_json()
        for sim in self.sims:
            assert sim.state.to_json() == expected
            assert sim.state.records() == reference.records()
            assert sim.state.conflicts() == reference.conflicts()
        again = MergeState.from_json(expected)
        assert again.conflicts() == reference.conflicts()

    @invariant()
    def the_store_was_told_exactly_what_changed(self) -> None:
        for sim in self.sims:
            assert sim.mirror == sim.state.records()
            assert sorted(sim.open) == [c.key for c in sim.state.conflicts()]

    def teardown(self) -> None:
        self.everyone_gets_everything(random.Random(len(self.sims[0].outbox)))


Convergence.TestCase.settings = PROFILES[os.environ.get("HYPOTHESIS_PROFILE", "default")]
TestConvergence = Convergence.TestCase
