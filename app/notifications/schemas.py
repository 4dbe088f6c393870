"""Notification schemas."""

from __future__ import annotations

from datetime import datetime

from app.core.schemas import Schema


class NotificationPublic(Schema):
    id: int
    text: str
    link: str
    created_at: datetime
    read_at: datetime | None
