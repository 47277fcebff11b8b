"""Tags on any record, and the reads that lists, editors and search need of them.

A tag is a short name (at most 100 characters), compared without regard to ASCII case (the
column's NOCASE collation: "Kitchen" and "kitchen" are one tag). A record carries it through a
``taggings`` row that names the record by ``(owner_kind, owner_id)``.

For lists that narrow by tag: :func:`owners_tagged` answers the ids of one kind carrying the
given tags in one query, and :func:`owners_tagged_query` is the same as a SELECT of ids to put in
a list's own query (``.where(cls.id.in_(owners_tagged_query("vendor", names)))``), so the list
stays one statement. :func:`all_tags` is what to offer (completion, a filter's choices);
:func:`tags_by_owner` the tags of many records of a kind at once (one query, not one per row),
:func:`tags_of_records` those of records of any kinds (search results), also in one query.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Literal

from sqlalchemy import Select, and_, delete, false, func, intersect, or_, select
from sqlalchemy.orm import Session

from vrmdesk.errors import ValidationError
from vrmdesk.store import models as m

#: the longest tag name
MAX_TAG_CHARS = 100


def clean(name: str, *, field: str = "tag") -> str:
    """``name`` as it is stored (trimmed), or a ``ValidationError`` naming ``field``."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError("A tag needs a name.", field=field)
    if len(name) > MAX_TAG_CHARS:
        raise ValidationError(f"A tag is at most {MAX_TAG_CHARS} characters.", field=field)
    return name


#: what separates tags where a person types several in one line
SEPARATOR = ","


def parse(typed: str) -> list[str]:
    """The tags in a line as a person types them ("kitchen, spare parts"), each checked.

    Blanks between separators are skipped and a tag given twice counts once; a tag too long is
    a ``ValidationError`` on the field ``tags``.
    """
    names = _names(typed.split(SEPARATOR))
    for name in names:
        clean(name, field="tags")
    return names


def joined(names: Iterable[str]) -> str:
    """Tags as one line, the way :func:`parse` reads them back."""
    return f"{SEPARATOR} ".join(names)


def _names(names: Iterable[str]) -> list[str]:
    """The names given, trimmed, blanks dropped, each once (ASCII case aside, as stored)."""
    seen: dict[str, str] = {}
    for name in names:
        name = " ".join(name.split())
        if name:
            seen.setdefault(name.lower(), name)
    return list(seen.values())


def _tag(session: Session, name: str, *, field: str = "tag") -> m.Tag:
    name = clean(name, field=field)
    tag = session.scalar(select(m.Tag).where(m.Tag.name == name))
    if tag is None:
        tag = m.Tag(name=name)
        session.add(tag)
        session.flush()
    return tag


def add_tag(session: Session, record: m.Record, name: str) -> None:
    tag = _tag(session, name)
    exists = session.scalar(
        select(m.Tagging.id).where(
            m.Tagging.tag_id == tag.id,
            m.Tagging.owner_kind == record.kind,
            m.Tagging.owner_id == record.id,
        )
    )
    if exists is None:
        session.add(m.Tagging(tag_id=tag.id, owner_kind=record.kind, owner_id=record.id))
        session.flush()


def remove_tag(session: Session, record: m.Record, name: str) -> None:
    tag = session.scalar(select(m.Tag).where(m.Tag.name == " ".join(name.split())))
    if tag is None:
        return
    session.execute(
        delete(m.Tagging).where(
            m.Tagging.tag_id == tag.id,
            m.Tagging.owner_kind == record.kind,
            m.Tagging.owner_id == record.id,
        )
    )


def set_tags(session: Session, record: m.Record, names: Iterable[str]) -> list[str]:
    """Make ``record``'s tags exactly ``names`` (adding and removing); answers them, sorted.

    Every name is checked before anything is written, so a refused name (``ValidationError``
    on the field ``tags``) leaves the record's tags as they were.
    """
    wanted = _names(names)
    for name in wanted:
        clean(name, field="tags")
    have = {name.lower(): name for name in tags_of(session, record)}
    for name in wanted:
        if name.lower() not in have:
            tag = _tag(session, name, field="tags")
            session.add(m.Tagging(tag_id=tag.id, owner_kind=record.kind, owner_id=record.id))
    keep = {name.lower() for name in wanted}
    for low, name in have.items():
        if low not in keep:
            remove_tag(session, record, name)
    session.flush()
    return tags_of(session, record)


def tags_of(session: Session, record: m.Record) -> list[str]:
    query = (
        select(m.Tag.name)
        .join(m.Tagging, m.Tagging.tag_id == m.Tag.id)
        .where(m.Tagging.owner_kind == record.kind, m.Tagging.owner_id == record.id)
        .order_by(m.Tag.name)
    )
    return list(session.scalars(query))


def tags_by_owner(session: Session, kind: str, ids: Collection[int]) -> dict[int, list[str]]:
    """The tags of each of the records ``ids`` of ``kind`` (sorted; untagged ones left out)."""
    if not ids:
        return {}
    query = (
        select(m.Tagging.owner_id, m.Tag.name)
        .join(m.Tag, m.Tag.id == m.Tagging.tag_id)
        .where(m.Tagging.owner_kind == kind, m.Tagging.owner_id.in_(sorted(set(ids))))
        .order_by(m.Tagging.owner_id, m.Tag.name)
    )
    out: dict[int, list[str]] = {}
    for owner_id, name in session.execute(query):
        out.setdefault(owner_id, []).append(name)
    return out


def tags_of_records(
    session: Session, keys: Iterable[tuple[str, int]]
) -> dict[tuple[str, int], list[str]]:
    """The tags of records of any kinds, by (kind, id), in one query (untagged ones left out)."""
    by_kind: dict[str, set[int]] = {}
    for kind, owner_id in keys:
        by_kind.setdefault(kind, set()).add(owner_id)
    if not by_kind:
        return {}
    query = (
        select(m.Tagging.owner_kind, m.Tagging.owner_id, m.Tag.name)
        .join(m.Tag, m.Tag.id == m.Tagging.tag_id)
        .where(
            or_(
                *(
                    and_(m.Tagging.owner_kind == kind, m.Tagging.owner_id.in_(sorted(ids)))
                    for kind, ids in sorted(by_kind.items())
                )
            )
        )
        .order_by(m.Tagging.owner_kind, m.Tagging.owner_id, m.Tag.name)
    )
    out: dict[tuple[str, int], list[str]] = {}
    for kind, owner_id, name in session.execute(query):
        out.setdefault((kind, owner_id), []).append(name)
    return out


def all_tags(session: Session, kind: str | None = None) -> list[str]:
    """Every tag on at least one record (of ``kind``, when given), by name: one query."""
    query = select(m.Tag.name).where(
        select(m.Tagging.id)
        .where(
            m.Tagging.tag_id == m.Tag.id,
            *([m.Tagging.owner_kind == kind] if kind is not None else []),
        )
        .exists()
    )
    return list(session.scalars(query.order_by(m.Tag.name)))


def tag_counts(session: Session, kind: str | None = None) -> list[tuple[str, int]]:
    """(name, how many records carry it) for every tag in use (of ``kind``), by name."""
    query = (
        select(m.Tag.name, func.count(m.Tagging.id))
        .join(m.Tagging, m.Tagging.tag_id == m.Tag.id)
        .group_by(m.Tag.id)
        .order_by(m.Tag.name)
    )
    if kind is not None:
        query = query.where(m.Tagging.owner_kind == kind)
    return [(name, count) for name, count in session.execute(query)]


Match = Literal["all", "any"]


def owners_tagged_query(kind: str, names: Iterable[str], *, match: Match = "all") -> Select[int]:
    """A SELECT of the ids of records of ``kind`` carrying every one (or any) of ``names``.

    Put it in a list's query as ``cls.id.in_(...)``; with no names it selects nothing (a
    caller with no tag filter leaves the condition out). Each name is found through the unique
    index on ``(tag_id, owner_kind, owner_id)``.
    """
    wanted = _names(names)

    def carrying(tag_names: list[str]) -> Select[int]:
        return (
            select(m.Tagging.owner_id)
            .join(m.Tag, m.Tag.id == m.Tagging.tag_id)
            .where(m.Tagging.owner_kind == kind, m.Tag.name.in_(tag_names))
        )

    if not wanted:
        return select(m.Tagging.owner_id).where(false())
    if match == "any" or len(wanted) == 1:
        return carrying(wanted).distinct()
    both = intersect(*(carrying([name]) for name in wanted)).subquery()
    return select(both.c.owner_id)


def owners_tagged(
    session: Session, kind: str, names: Iterable[str], *, match: Match = "all"
) -> set[int]:
    """The ids of records of ``kind`` carrying every one (``match="any"``: any) of ``names``.

    One query whatever the number of names or records; no names: no ids.
    """
    return set(session.scalars(owners_tagged_query(kind, names, match=match)))


def tagged(session: Session, name: str) -> list[tuple[str, int]]:
    """(kind, id) of every record with this tag."""
    query = (
        select(m.Tagging.owner_kind, m.Tagging.owner_id)
        .join(m.Tag, m.Tag.id == m.Tagging.tag_id)
        .where(m.Tag.name == name.strip())
        .order_by(m.Tagging.owner_kind, m.Tagging.owner_id)
    )
    return [(kind, owner_id) for kind, owner_id in session.execute(query)]
