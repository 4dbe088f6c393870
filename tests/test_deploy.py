"""deploy/: the Compose file, HAProxy's configuration and the Kubernetes manifests, checked by the
tools that run them (docker-compose's own validator, haproxy -c, Kubernetes' schemas), and held to
what the app needs: the deploy step before any instance, shared keys, probes that exist."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
K8S_VERSION = "1.33"  # the oldest Kubernetes release still supported upstream in 2026


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("QIA_REQUIRE_TOOLS"):
            pytest.fail(f"{name} is not installed (apt-get install {name})")
        pytest.skip(f"{name} is not installed")
    return path


def _compose() -> dict[str, Any]:
    env = {**os.environ, "POSTGRES_PASSWORD": "check", "QIA_SECRET_KEY": "check"}
    run = subprocess.run(
        [_tool("docker-compose"), "-f", str(DEPLOY / "compose.yaml"), "config"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return yaml.safe_load(run.stdout)  # type: ignore[no-any-return]


def test_compose_runs_the_deploy_step_once_then_two_web_replicas_a_worker_and_haproxy() -> None:
    services = _compose()["services"]
    assert set(services) == {"db", "deploy", "web", "worker", "proxy"}
    deploy = " ".join(services["deploy"]["command"])
    assert "db upgrade" in deploy
    assert "content sync" in deploy
    assert "keys init" in deploy
    for name in ("web", "worker"):
        assert (
            services[name]["depends_on"]["deploy"]["condition"] == "service_completed_successfully"
        )
        env = services[name]["environment"]
        assert env["QIA_CONTENT_SYNC"] == "false"  # instances never race the deploy step
        assert any(
            v.endswith(":/app/var/keys") or "keys" in str(v) for v in services[name]["volumes"]
        )
    assert services["web"]["deploy"]["replicas"] == 2
    assert services["web"]["environment"]["QIA_WORKERS_IN_APP"] == "false"
    assert "--no-proxy-headers" in services["web"]["command"]
    assert "/healthz/ready" in " ".join(services["web"]["healthcheck"]["test"])


def test_the_haproxy_configuration_is_valid() -> None:
    run = subprocess.run(
        [_tool("haproxy"), "-c", "-f", str(DEPLOY / "haproxy.cfg")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def _manifests() -> list[dict[str, Any]]:
    docs = []
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        docs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return docs


def test_every_kubernetes_manifest_validates_against_the_kubernetes_schema() -> None:
    docs = _manifests()
    assert {d["kind"] for d in docs} == {"Secret", "Job", "Deployment", "Service"}
    for doc in docs:
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)  # raises on any error


def test_the_probes_and_commands_in_the_manifests_are_ones_the_app_has(app: Any) -> None:
    docs = _manifests()
    web = next(d for d in docs if d["metadata"]["name"] == "qi-academy-web")
    container = web["spec"]["template"]["spec"]["containers"][0]
    probes = [
        container["readinessProbe"]["httpGet"]["path"],
        container["livenessProbe"]["httpGet"]["path"],
    ]
    assert probes == ["/healthz/ready", "/healthz/live"]
    with TestClient(app) as client:
        for path in probes:
            assert client.get(path).status_code == 200, path
    secrets = {d["metadata"]["name"] for d in docs if d["kind"] == "Secret"}
    for doc in docs:
        spec = doc.get("spec", {}).get("template", {}).get("spec", {})
        for c in spec.get("containers", []):
            for source in c.get("envFrom", []):
                assert source["secretRef"]["name"] in secrets
    job = next(d for d in docs if d["kind"] == "Job")
    command = " ".join(job["spec"]["template"]["spec"]["containers"][0]["command"])
    assert "qi-academy db upgrade" in command
    assert "qi-academy content sync" in command


def test_keys_init_makes_one_key_and_then_changes_nothing(tmp_path: Path) -> None:
    cli = str(Path(sys.executable).with_name("qi-academy"))
    env = {**os.environ, "QIA_KEYS_DIR": str(tmp_path / "keys"), "QIA_ENV": "test"}
    first = subprocess.run(
        [cli, "keys", "init"], env=env, capture_output=True, text=True, check=False
    )
    assert first.returncode == 0, first.stderr
    second = subprocess.run(
        [cli, "keys", "init"], env=env, capture_output=True, text=True, check=False
    )
    assert second.returncode == 0, second.stderr
    assert first.stdout == second.stdout
    assert "1 signing key(s) ready" in first.stdout
    assert len(list((tmp_path / "keys").glob("*.pem"))) == 1
