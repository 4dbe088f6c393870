"""QI Academy benchmark: start uvicorn, load it with wrk, count SQL statements per request.

Measures (a) a bare plaintext route, (b) a Bronze module page for a signed-in learner, (c) the
dashboard and (d) a quiz submission: requests per second and p50/p99 latency from wrk, and SQL
statements per request for (b)-(d), counted in-process on the same code path. Not a test: run
it with `make bench` and copy the table into bench/README.md.

    .venv/bin/python bench/run.py [--duration 10] [--connections 16] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
MODULE = "why-quality-improvement"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def migrate(url: str) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.attributes["url"] = url
    cfg.attributes["configure_logger"] = False
    command.upgrade(cfg, "head")


def start_server(
    port: int, env: dict[str, str], target: str = "app.main:create_app", health: str = "/healthz"
) -> subprocess.Popen[bytes]:
    factory = ["--factory"] if target.endswith("create_app") else []
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            target,
            *factory,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--no-proxy-headers",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}{health}", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("server did not start")


def correct_answers() -> dict[str, list[str]]:
    from app.content.loader import load_content
    from app.core.config import get_settings

    module = next(m for m in load_content(get_settings().content_dir).modules if m.slug == MODULE)
    return {q.id: sorted(q.correct_ids) for q in module.questions}


def learner(base: str) -> str:
    email = f"bench-{secrets.token_hex(4)}@example.nhs.uk"
    password = "bench-kettle-harbour"
    r = httpx.post(
        f"{base}/api/v1/auth/register",
        json={
            "email": email,
            "password": password,
            "full_name": "Bench Learner",
            "organisation": "Bench Trust",
            "staff_group": "other",
        },
    )
    r.raise_for_status()
    r = httpx.post(f"{base}/api/v1/auth/token", data={"username": email, "password": password})
    r.raise_for_status()
    return str(r.json()["access_token"])


def wrk(
    url: str,
    *,
    duration: int,
    connections: int,
    headers: dict[str, str],
    method: str = "GET",
    body: str | None = None,
) -> dict[str, float]:
    script = None
    args = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency"]
    for k, v in headers.items():
        args += ["-H", f"{k}: {v}"]
    if method != "GET":
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        script.write(f"wrk.method = {json.dumps(method)}\nwrk.body = {json.dumps(body)}\n")
        script.close()
        args += ["-s", script.name]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    if script:
        os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise SystemExit(f"{url}: {non2xx.group(1)} failed responses\n{out}")

    def pct(p: str) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return {"rps": rps, "p50": pct("50"), "p99": pct("99")}


def query_counts(token: str, answers: dict[str, list[str]]) -> dict[str, tuple[int, int]]:
    """Statements per request, before and after the learner has more attempts and completions."""
    from fastapi.testclient import TestClient
    from sqlalchemy import event

    from app.core.db import get_engine
    from app.main import create_app

    statements: list[str] = []

    def on_execute(*args: object) -> None:
        statement = str(args[2])
        # Queries only: transaction control (BEGIN, COMMIT, SAVEPOINT) is not a query.
        if (
            not statement.lstrip()
            .upper()
            .startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"))
        ):
            statements.append(statement)

    event.listen(get_engine(), "before_cursor_execute", on_execute)
    headers = {"Authorization": f"Bearer {token}"}
    cookies = {"qia_session": token}
    with TestClient(create_app()) as client:

        def count(method: str, path: str, **kw: object) -> int:
            statements.clear()
            r = client.request(method, path, **kw)  # type: ignore[arg-type]
            assert r.status_code < 400, (path, r.status_code, r.text[:200])
            return len(statements)

        def measure() -> list[int]:
            client.cookies.update(cookies)
            return [
                count("GET", f"/modules/{MODULE}/sections/2"),
                count("GET", "/dashboard"),
                count(
                    "POST",
                    f"/api/v1/modules/{MODULE}/attempts",
                    json={"answers": answers},
                    headers=headers,
                ),
            ]

        measure()  # warm: first visit inserts the progress row
        before = measure()
        for _ in range(25):
            client.post(
                f"/api/v1/modules/{MODULE}/attempts", json={"answers": answers}, headers=headers
            )
        after = measure()
    names = ["module page", "dashboard", "quiz submission"]
    return {n: (b, a) for n, b, a in zip(names, before, after, strict=True)}


def rss_mb(pid: int) -> float:
    """Resident memory of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


GOALS = {  # ratio to bare FastAPI, by engine (issue 15); None: no goal set for that engine
    "app plaintext": {"sqlite": 0.8, "postgresql+psycopg": 0.8},
    "module page": {"sqlite": 0.3, "postgresql+psycopg": 0.25},
    "dashboard": {"sqlite": 0.2, "postgresql+psycopg": 0.15},
    "quiz submission": {"sqlite": None, "postgresql+psycopg": 0.12},
}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every request; medians")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")

    work = Path(tempfile.mkdtemp(prefix="qia-bench-"))
    url = args.database_url or f"sqlite:///{work / 'bench.db'}"
    migrate(url)
    port, bare_port = free_port(), free_port()
    secret = secrets.token_urlsafe(48)
    env = {
        **os.environ,
        "QIA_DATABASE_URL": url,
        "QIA_ENV": "prod",
        "QIA_SECRET_KEY": secret,
        "QIA_BASE_URL": f"http://127.0.0.1:{port}",
        "QIA_KEYS_DIR": str(work / "keys"),
        "QIA_REGISTER_MAX_PER_IP_PER_HOUR": "1000",
    }
    # Settings are read once and cached: set them before anything in app/ is imported.
    os.environ.update({k: v for k, v in env.items() if k.startswith("QIA_")})
    server = start_server(port, env)
    bare = start_server(bare_port, env, target="bench.bare:app", health="/plaintext")
    base = f"http://127.0.0.1:{port}"
    try:
        token = learner(base)
        answers = correct_answers()
        cookie = {"Cookie": f"qia_session={token}"}
        httpx.get(f"{base}/modules/{MODULE}/sections/2", headers=cookie).raise_for_status()
        load = {"duration": args.duration, "connections": args.connections}
        requests: dict[str, dict[str, object]] = {
            "bare FastAPI plaintext": {"url": f"http://127.0.0.1:{bare_port}/plaintext"},
            "app plaintext": {"url": f"{base}/plaintext"},
            "module page": {"url": f"{base}/modules/{MODULE}/sections/2", "headers": cookie},
            "dashboard": {"url": f"{base}/dashboard", "headers": cookie},
            "quiz submission": {
                "url": f"{base}/api/v1/modules/{MODULE}/attempts",
                "headers": {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                "method": "POST",
                "body": json.dumps({"answers": answers}),
            },
        }
        # Every round runs every request, the floor first: the machine's speed drifts (other
        # work, CPU boost), and a ratio is only fair between runs made at the same moment.
        rounds: list[dict[str, dict[str, float]]] = []
        for _ in range(args.rounds):
            measured = {}
            for name, r in requests.items():
                measured[name] = wrk(
                    str(r["url"]),
                    headers=dict(r.get("headers", {})),  # type: ignore[call-overload]
                    method=str(r.get("method", "GET")),
                    body=r.get("body"),  # type: ignore[arg-type]
                    **load,  # type: ignore[arg-type]
                )
            rounds.append(measured)
        rss = rss_mb(server.pid)
    finally:
        for proc in (server, bare):
            proc.terminate()
            proc.wait(timeout=10)
    counts = query_counts(token, answers)

    engine = url.split(":", 1)[0]
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    to_bare = {
        n: [r[n]["rps"] / r["bare FastAPI plaintext"]["rps"] for r in rounds] for n in requests
    }
    to_plain = {n: [r[n]["rps"] / r["app plaintext"]["rps"] for r in rounds] for n in requests}
    load1 = os.getloadavg()[0]
    lines = [
        f"Machine: {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {engine}, "
        f"one uvicorn worker each, wrk -t2 -c{args.connections} -d{args.duration}s, "
        f"{args.rounds} rounds (medians), load average {load1:.1f} at the end.",
        "",
        "| request | req/s | p50 ms | p99 ms | x bare FastAPI | x app plaintext | goal (x bare) "
        "| SQL statements (fresh -> after 25 attempts) |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    ok = True
    for name in requests:
        rps = median([r[name]["rps"] for r in rounds])
        p50 = median([r[name]["p50"] for r in rounds])
        p99 = median([r[name]["p99"] for r in rounds])
        ratio = median(to_bare[name])
        goal = GOALS.get(name, {}).get(engine)
        ok = ok and (goal is None or ratio >= goal)
        c = counts.get(name)
        lines.append(
            f"| {name} | {rps:.0f} | {p50:.1f} | {p99:.1f} | {ratio:.2f} | "
            f"{median(to_plain[name]):.2f} | {f'>= {goal}' if goal else '-'} | "
            f"{f'{c[0]} -> {c[1]}' if c else '-'} |"
        )
    lines += ["", f"RSS of the app's worker after the load: {rss:.0f} MB (goal: under 150 MB)."]
    report = "\n".join(lines)
    print(report)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"latest-{engine}.md").write_text(report + "\n")
    ok = ok and rss < 150 and all(c[0] == c[1] for c in counts.values())
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
