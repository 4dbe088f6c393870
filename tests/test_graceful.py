"""Graceful shutdown: SIGTERM stops the server taking new work but lets a request in flight finish."""

from __future__ import annotations

import signal
import socket
import time

import httpx

from app.content.registry import ContentRegistry
from tests.dbutil import fresh_database, migrate
from tests.factories import answers
from tests.servers import start, stop
from tests.test_multi_instance import _learner


def test_sigterm_lets_a_quiz_submission_in_flight_finish(registry: ContentRegistry) -> None:
    url = fresh_database("graceful")
    migrate(url)
    server = start(url, env={"QIA_REGISTER_MAX_PER_IP_PER_HOUR": "1000"})
    try:
        headers = _learner(server.base, 900)
        module = registry.tier("bronze")[0]
        body = httpx.Request("POST", "http://x", json={"answers": answers(module)}).read()
        head = (
            f"POST /api/v1/modules/{module.slug}/attempts HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: {headers['Authorization']}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode()
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
            sock.sendall(head + body[:10])  # the request has begun
            time.sleep(0.5)
            server.process.send_signal(signal.SIGTERM)
            time.sleep(1.0)
            sock.sendall(body[10:])
            reply = b""
            while chunk := sock.recv(65536):
                reply += chunk
        assert reply.startswith(b"HTTP/1.1 201"), reply[:300]
        # uvicorn finishes the request, stops its loops, then exits by re-raising SIGTERM.
        assert server.process.wait(timeout=30) in (0, -signal.SIGTERM)
    finally:
        if server.process.poll() is None:
            stop(server)
