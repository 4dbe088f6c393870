"""Domain events: typed facts a service publishes into the request's unit of work.

A service that finishes something another domain cares about publishes an event; every handler
runs at once, synchronously, in the same session and transaction, so a failing handler rolls the
whole request back. Anything that must wait for the commit (email, an LMS grade, an xAPI
statement) is queued by its handler as an outbox row in that same transaction.

Each domain declares the events it publishes in its own `events.py`; `app/events.py` is the one
place that says which handlers listen to which event. Ideas from Django signals and Polar's event
stream, kept synchronous and typed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session


@dataclass(frozen=True, kw_only=True)
class Event:
    """Something that happened, named in the past tense, carrying ids and values only."""


E = TypeVar("E", bound=Event)
Handler = Callable[[Session, Any], None]


class NotWired(RuntimeError):
    """An event was published before `app.events` registered the handlers: a wiring mistake."""


class EventBus:
    def __init__(self) -> None:
        self._handlers: dict[type[Event], list[Handler]] = defaultdict(list)
        self.wired = False

    def wire(self, handlers: Mapping[type[Event], Sequence[Handler]]) -> None:
        """Install the whole table at once (app/events.py); calling it again replaces it."""
        self._handlers = defaultdict(list, {k: list(v) for k, v in handlers.items()})
        self.wired = True

    def handlers_for(self, event_type: type[Event]) -> list[Handler]:
        return list(self._handlers.get(event_type, ()))

    def publish(self, session: Session, event: Event) -> None:
        if not self.wired:
            raise NotWired(f"{type(event).__name__} published before app.events was imported")
        for handler in self._handlers.get(type(event), ()):
            handler(session, event)

    @contextmanager
    def extra(self, event_type: type[E], handler: Callable[[Session, E], None]) -> Iterator[None]:
        """Add a handler for the length of a block (tests: a handler that fails)."""
        self._handlers[event_type].append(handler)
        try:
            yield
        finally:
            self._handlers[event_type].remove(handler)


bus = EventBus()


def publish(session: Session, event: Event) -> None:
    """Tell every handler of this event type, now, inside the caller's transaction."""
    bus.publish(session, event)
