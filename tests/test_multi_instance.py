"""More than one machine: two app instances behind HAProxy on one PostgreSQL database.

A learner signs in through the balancer and their requests land on both instances; under a write
load one instance is killed with SIGKILL and started again: every acknowledged write is in the
database, client errors stay within the requests that were in flight, and each background job
ran exactly once per period across the two.
"""

from __future__ import annotations

import concurrent.futures
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select, text

from app.content.registry import ContentRegistry
from app.quizzes.models import QuizAttempt
from tests.dbutil import PG_URL, fresh_database, migrate
from tests.factories import answers
from tests.servers import Server, free_port, start, stop, wait_ready

PASSWORD = "balanced horse battery staple"
PERIODS = {"gold sweep": 2.0, "reports": 2.0, "outbox": 1.0}
JOBS_ENV = {
    "QIA_ENV": "prod",  # background loops run (they never do under QIA_ENV=test)
    "QIA_SECRET_KEY": "Kx7-multi-instance-secret-0123456789abcdefghijklmnopqrstuvwxyz",
    "QIA_CONTENT_SYNC": "false",  # the deploy step below syncs once; instances only look up
    "QIA_JOB_SECONDS": '{"gold sweep": 2, "reports": 2, "outbox": 1}',
    "QIA_REGISTER_MAX_PER_IP_PER_HOUR": "100000",
    "QIA_LOGIN_MAX_FAILURES_PER_IP": "100000",
}

pytestmark = pytest.mark.skipif(
    not PG_URL, reason="several instances share one PostgreSQL database (the PostgreSQL pass)"
)


def _haproxy_config(port: int, backends: list[int]) -> str:
    servers = "\n".join(
        f"    server app{i} 127.0.0.1:{p} check inter 300ms fall 1 rise 1"
        for i, p in enumerate(backends)
    )
    return f"""
global
    maxconn 256
defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    retries 3
    option redispatch
    retry-on conn-failure empty-response response-timeout
frontend web
    bind 127.0.0.1:{port}
    default_backend apps
backend apps
    balance roundrobin
    option httpchk GET /healthz/ready
    http-response set-header X-Served-By %s
{servers}
"""


class Cluster:
    def __init__(self, url: str) -> None:
        self.url = url
        self.ports = [free_port(), free_port()]
        self.servers: list[Server | None] = [None, None]
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**JOBS_ENV, "QIA_BASE_URL": self.base, "QIA_TRUSTED_PROXIES": "127.0.0.1"}
        self.folder = Path(tempfile.mkdtemp(prefix="qia-haproxy-"))
        self.env["QIA_KEYS_DIR"] = str(self.folder / "keys")  # one key source for both
        self.haproxy: subprocess.Popen[bytes] | None = None

    def start_app(self, i: int) -> None:
        self.servers[i] = start(self.url, port=self.ports[i], env=self.env)

    def kill_app(self, i: int) -> None:
        server = self.servers[i]
        assert server is not None
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=10)

    def start_balancer(self) -> None:
        config = self.folder / "haproxy.cfg"
        config.write_text(_haproxy_config(self.port, self.ports))
        self.haproxy = subprocess.Popen(
            ["haproxy", "-f", str(config), "-db"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        wait_ready(self.base, self.haproxy, seconds=30)

    def close(self) -> None:
        if self.haproxy is not None:
            self.haproxy.terminate()
            self.haproxy.wait(timeout=10)
        for server in self.servers:
            if server is not None and server.process.poll() is None:
                stop(server)
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    if shutil.which("haproxy") is None:
        if os.environ.get("QIA_REQUIRE_TOOLS"):
            pytest.fail("haproxy is not installed (apt-get install haproxy)")
        pytest.skip("haproxy is not installed")
    url = fresh_database("cluster")
    migrate(url)
    deploy = subprocess.run(  # the deploy step: content synced once, before any instance starts
        [str(Path(sys.executable).with_name("qi-academy")), "content", "sync"],
        env={**os.environ, "QIA_DATABASE_URL": url, "QIA_ENV": "test"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr
    built = Cluster(url)
    try:
        built.start_app(0)
        built.start_app(1)
        built.start_balancer()
        yield built
    finally:
        built.close()


def _learner(base: str, n: int) -> dict[str, str]:
    email = f"balanced{n}@example.nhs.uk"
    body = {
        "email": email,
        "password": PASSWORD,
        "full_name": f"Balanced Learner {n}",
        "organisation": "Ward 7",
        "staff_group": "nursing_midwifery",
    }
    assert httpx.post(f"{base}/api/v1/auth/register", json=body, timeout=30).status_code == 201
    token = httpx.post(
        f"{base}/api/v1/auth/token", data={"username": email, "password": PASSWORD}, timeout=30
    )
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def test_a_learner_journey_through_the_balancer_uses_both_instances(
    cluster: Cluster, registry: ContentRegistry
) -> None:
    headers = _learner(cluster.base, 0)
    module = registry.tier("bronze")[0]
    served = set()
    for _ in range(4):
        me = httpx.get(f"{cluster.base}/api/v1/me", headers=headers, timeout=30)
        assert me.status_code == 200
        served.add(me.headers["x-served-by"])
    attempt = httpx.post(
        f"{cluster.base}/api/v1/modules/{module.slug}/attempts",
        json={"answers": answers(module)},
        headers=headers,
        timeout=30,
    )
    assert attempt.status_code == 201, attempt.text
    served.add(attempt.headers["x-served-by"])
    progress = httpx.get(f"{cluster.base}/api/v1/me/progress", headers=headers, timeout=30).json()
    assert any(m["status"] == "completed" for m in progress["modules"])
    assert served == {"app0", "app1"}  # signed in on one, served by the other too


def test_a_killed_instance_loses_no_acknowledged_write_and_jobs_run_once_per_period(
    cluster: Cluster, registry: ContentRegistry
) -> None:
    module = registry.tier("bronze")[0]  # open to every learner; wrong answers never complete it
    learners = [_learner(cluster.base, 100 + n) for n in range(6)]
    wrong = {"answers": answers(module, correct=False)}
    acknowledged: list[int] = []
    errors: list[str] = []
    stop_at = time.monotonic() + 12
    lock = threading.Lock()
    started = time.time()

    def write(headers: dict[str, str]) -> None:
        with httpx.Client(timeout=30) as client:
            while time.monotonic() < stop_at:
                try:
                    r = client.post(
                        f"{cluster.base}/api/v1/modules/{module.slug}/attempts",
                        json=wrong,
                        headers=headers,
                    )
                except httpx.HTTPError as exc:
                    with lock:
                        errors.append(type(exc).__name__)
                    continue
                with lock:
                    if r.status_code == 201:
                        acknowledged.append(int(r.json()["id"]))
                    else:
                        errors.append(str(r.status_code))

    with concurrent.futures.ThreadPoolExecutor(max_workers=len(learners)) as pool:
        futures = [pool.submit(write, h) for h in learners]
        time.sleep(4)
        cluster.kill_app(0)
        time.sleep(3)
        cluster.start_app(0)
        for f in futures:
            f.result()
    ended = time.time()

    engine = create_engine(cluster.url)
    with engine.connect() as conn:
        stored = set(conn.scalars(select(QuizAttempt.id).where(QuizAttempt.id.in_(acknowledged))))
        runs = conn.execute(
            text("SELECT name, period, instance FROM job_run WHERE started_at >= :t"),
            {"t": time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime(started))},
        ).all()
    engine.dispose()
    assert len(acknowledged) > 50, errors[:10]
    assert stored == set(acknowledged)  # every 201 is in the database
    assert len(errors) <= len(learners), errors  # at most the requests in flight at the kill
    for name, seconds in PERIODS.items():
        periods = sorted(p for n, p, _ in runs if n == name)
        assert len(periods) == len(set(periods)), (name, periods)  # never twice
        first, last = int(started // seconds) + 1, int(ended // seconds) - 1
        missing = set(range(first, last + 1)) - set(periods)
        assert not missing, (name, sorted(missing))  # and never skipped, one instance down or not
