"""Time POST /api/v1/analysis for 10,000 points of every method, and the funnel endpoint.

    .venv/bin/python bench/analysis.py              # median of 7 requests per method
    .venv/bin/python bench/analysis.py --points 2000

In process (Starlette's TestClient, no network), so the time is validation, the statistics and
the JSON both ways. Prints a Markdown table for bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QIA_ENV", "test")

from fastapi.testclient import TestClient  # noqa: E402

from app.main import create_app  # noqa: E402

METHODS = ["run_anhoej", "run_ihi", "i_anhoej", "xmr_mdc"]
RATIO = ["p_anhoej", "pp_anhoej", "u_anhoej", "up_anhoej"]
SINGLE = ["c_anhoej", "g_anhoej", "t_anhoej"]


def _bodies(points: int) -> dict[str, dict[str, object]]:
    rng = random.Random(13)
    dens = [rng.randint(21, 27) for _ in range(points)]
    nums = [rng.randint(5, d) for d in dens]
    exposure = [rng.randint(700, 900) for _ in range(points)]
    counts = [rng.randint(0, 15) for _ in range(points)]
    gaps = [rng.randint(1, 90) for _ in range(points)]
    measures = [50 + rng.gauss(0, 5) for _ in range(points)]
    bodies: dict[str, dict[str, object]] = {m: {"method": m, "values": measures} for m in METHODS}
    for m in RATIO:
        proportion = m.startswith("p")
        bodies[m] = {
            "method": m,
            "values": nums if proportion else counts,
            "denominators": dens if proportion else exposure,
        }
    bodies["c_anhoej"] = {"method": "c_anhoej", "values": counts}
    bodies["g_anhoej"] = {"method": "g_anhoej", "values": gaps}
    bodies["t_anhoej"] = {"method": "t_anhoej", "values": gaps}
    return bodies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    client = TestClient(create_app())
    print("| method | points | median ms | max ms |\n|---|---:|---:|---:|")
    for name, body in _bodies(args.points).items():
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            response = client.post("/api/v1/analysis", json=body)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.text
        print(f"| {name} | {args.points:,} | {statistics.median(times):.1f} | {max(times):.1f} |")
    rng = random.Random(13)
    for kind, method in (("proportion", "exact"), ("proportion", "normal"), ("rate", "exact")):
        dens = [rng.randint(20, 2000) for _ in range(1000)]
        obs = [rng.randint(0, d // 4) for d in dens]
        body = {"kind": kind, "method": method, "observed": obs, "denominators": dens}
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            response = client.post("/api/v1/analysis/funnel", json=body)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.text
        label = f"funnel {kind} {method} (1,000 units)"
        print(f"| {label} | - | {statistics.median(times):.1f} | {max(times):.1f} |")


if __name__ == "__main__":
    main()
