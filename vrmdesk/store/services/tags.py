"""Tags on any record."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from vrmdesk.errors import ValidationError
from vrmdesk.store import models as m


def _tag(session: Session, name: str) -> m.Tag:
    name = name.strip()
    if not name:
        raise ValidationError("A tag needs a name.", field="tag")
    if len(name) > 100:
        raise ValidationError("A tag is at most 100 characters.", field="tag")
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
    tag = session.scalar(select(m.Tag).where(m.Tag.name == name.strip()))
    if tag is None:
        return
    session.execute(
        delete(m.Tagging).where(
            m.Tagging.tag_id == tag.id,
            m.Tagging.owner_kind == record.kind,
            m.Tagging.owner_id == record.id,
        )
    )


def tags_of(session: Session, record: m.Record) -> list[str]:
    query = (
        select(m.Tag.name)
        .join(m.Tagging, m.Tagging.tag_id == m.Tag.id)
        .where(m.Tagging.owner_kind == record.kind, m.Tagging.owner_id == record.id)
        .order_by(m.Tag.name)
    )
    return list(session.scalars(query))


def tagged(session: Session, name: str) -> list[tuple[str, int]]:
    """(kind, id) of every record with this tag."""
    query = (
        select(m.Tagging.owner_kind, m.Tagging.owner_id)
        .join(m.Tag, m.Tag.id == m.Tagging.tag_id)
        .where(m.Tag.name == name.strip())
        .order_by(m.Tagging.owner_kind, m.Tagging.owner_id)
    )
    return [(kind, owner_id) for kind, owner_id in session.execute(query)]
