"""Sending one queued statement to its organisation's LRS (the outbox's sender for xapi.statement).

POST <endpoint>statements with HTTP Basic authentication and the xAPI version header. The
statement carries the id it was given at event time, so a retry after a lost answer is the same
statement: an LRS answers 200 the first time and 204 (or 409, which some send) for one it holds.
"""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.orm import Session

from app.core.config import get_settings
from app.outbox.tasks import Delivery, TaskObsolete
from app.xapi import crypto, service
from app.xapi.statements import XAPI_VERSION

TIMEOUT_SECONDS = 15


class LrsRefused(RuntimeError):
    """The LRS answered, but not with success: retried like any other failure."""


def sender(session: Session, payload: dict[str, Any]) -> Delivery:
    """Read the organisation's LRS now (a changed password applies to retries too)."""
    lrs = service.connection_for(session, organisation_id=int(payload["organisation_id"]))
    if lrs is None:
        raise TaskObsolete("The organisation no longer has a learning record store.")
    if not lrs.enabled:  # switched off for now: kept and retried, in case it is switched on
        raise LrsRefused("The organisation's learning record store is switched off.")
    url = lrs.endpoint + "statements"
    auth = (lrs.username, crypto.unseal(lrs.password_encrypted, get_settings()))
    statement = payload["statement"]

    def deliver() -> None:
        response = httpx.post(
            url,
            json=statement,
            auth=auth,
            headers={"X-Experience-API-Version": XAPI_VERSION},
            timeout=TIMEOUT_SECONDS,
        )
        if response.status_code in (200, 204, 409):
            return
        raise LrsRefused(f"The LRS answered {response.status_code}: {response.text[:200]}")

    return deliver
