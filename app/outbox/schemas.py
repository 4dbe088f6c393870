"""Outbox views: delivery results for the CLI and the messages /dev/outbox shows."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.schemas import Schema


@dataclass
class DeliveryReport:
    """What one pass of the delivery loop did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def claimed(self) -> int:
        return self.sent + self.retrying + self.failed

    def add(self, other: DeliveryReport) -> None:
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed
        self.errors += other.errors


class DevMessage(Schema):
    """An .eml file written in development, as /dev/outbox shows it."""

    file: str
    to: str
    subject: str
    date: str
    body: str
    links: list[str]


class OutboxCounts(Schema):
    pending: int
    sent: int
    failed: int
