"""Annotated dependencies shared by every domain: the request's session, settings and CSRF check."""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network, ip_address
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from app.core.config import Settings, get_settings
from app.core.csrf import CsrfFailed, verify_csrf
from app.core.db import SessionFactory, get_db, get_sessionmaker

# scope="function": commit before the response goes out, so a failed commit is an error response.
SessionDep = Annotated[Session, Depends(get_db, scope="function")]


async def _settings() -> Settings:
    return get_settings()  # async: a cached value needs no trip to the threadpool


SettingsDep = Annotated[Settings, Depends(_settings)]


async def isolated_sessions() -> SessionFactory:
    """Sessions for what must be written in its own short transaction, committed whatever the
    request's own outcome (a failed sign-in attempt). Tests override this."""
    return get_sessionmaker()


IsolatedSessions = Annotated[SessionFactory, Depends(isolated_sessions)]


__all__ = [
    "CsrfFailed",
    "IsolatedSessions",
    "SessionDep",
    "SettingsDep",
    "client_ip",
    "verify_csrf",
]


def client_ip(request: Request) -> str:
    """The client's address. X-Forwarded-For counts only when the peer is a trusted proxy
    (QIA_TRUSTED_PROXIES); then the client is the right-most address that is not one, since
    everything left of it was written by whoever sent the request and can be forged."""
    peer = request.client.host if request.client else "unknown"
    proxies = get_settings().proxy_networks()
    if not proxies or not _in(peer, proxies):
        return peer
    chain = [a.strip() for h in request.headers.getlist("x-forwarded-for") for a in h.split(",")]
    for address in reversed(chain):
        if not _in(address, proxies):
            return address if _valid(address) else peer
    return chain[0] if chain and _valid(chain[0]) else peer


def _valid(address: str) -> bool:
    try:
        ip_address(address)
    except ValueError:
        return False
    return True


def _in(address: str, networks: tuple[IPv4Network | IPv6Network, ...]) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)
