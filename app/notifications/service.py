"""Notify a person in the app; count and list what they have not read; their email choice.

Email itself is the caller's: it knows the address and queues the message in the outbox when
`email_wanted` says so.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app.core.db import utcnow
from app.notifications.models import Notification, NotificationSetting
from app.notifications.schemas import NotificationPublic

LIMIT = 50


def notify(session: Session, *, user_id: int, text: str, link: str) -> Notification:
    row = Notification(user_id=user_id, text=text[:300], link=link[:300], created_at=utcnow())
    session.add(row)
    session.flush()
    return row


def unread_count(session: Session, *, user_id: int) -> int:
    count = select(func.count()).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    return int(session.scalar(count) or 0)


def recent(session: Session, *, user_id: int) -> list[NotificationPublic]:
    rows = session.scalars(
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(LIMIT)
    )
    return [NotificationPublic.model_validate(r) for r in rows]


def mark_all_read(session: Session, *, user_id: int) -> None:
    session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    session.flush()


def email_wanted(session: Session, *, user_id: int) -> bool:
    row = session.get(NotificationSetting, user_id)
    return True if row is None else row.email


def set_email(session: Session, *, user_id: int, email: bool) -> None:
    row = session.get(NotificationSetting, user_id)
    if row is None:
        session.add(NotificationSetting(user_id=user_id, email=email))
    else:
        row.email = email
    session.flush()


def everything_for(session: Session, *, user_id: int) -> list[NotificationPublic]:
    """Every notification the person has, newest first (their data export)."""
    rows = session.scalars(
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    return [NotificationPublic.model_validate(r) for r in rows]


def forget(session: Session, *, user_id: int) -> int:
    """Delete the person's notifications and email choice (account deletion); how many went."""
    gone = session.execute(delete(Notification).where(Notification.user_id == user_id))
    session.execute(delete(NotificationSetting).where(NotificationSetting.user_id == user_id))
    session.flush()
    return int(gone.rowcount or 0)  # type: ignore[attr-defined]
