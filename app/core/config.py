"""Settings from the environment (prefix QIA_), read once through a cached getter."""

from __future__ import annotations

import secrets
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var"
_DEV_SECRET_FILE = VAR / "secret_key"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="QIA_", env_file=None, extra="ignore")

    env: Literal["dev", "prod", "test"] = "dev"
    database_url: str = f"sqlite:///{VAR / 'qi_academy.db'}"
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:8000"
    content_dir: Path = ROOT / "content"
    var_dir: Path = VAR
    keys_dir: Path = VAR / "keys"
    # Signing keys from elsewhere, read only, never made here (README "Signing keys"): a PEM bundle
    # (`qi-academy keys export --pem`) in the environment, or a directory that
    # `qi-academy keys export` wrote (a mounted Kubernetes Secret). The first set wins.
    signing_keys_pem: str = ""
    keys_secret_dir: Path | None = None
    token_minutes: int = 60 * 8
    jwt_issuer: str = "qi-academy"
    jwt_audience: str = "qi-academy-web"
    # Sign-in throttles, counted over a fixed window (README "Security"). The tight limit is per
    # account and address together, so guesses from one address never lock its owner out from
    # another; the account-wide limit does not apply to a browser that has signed in to the
    # account before (its device cookie).
    login_max_failures_per_pair: int = 5
    login_max_failures_per_account: int = 50
    login_max_failures_per_ip: int = 20
    login_window_minutes: int = 15
    register_max_per_ip_per_hour: int = 30
    reset_max_per_ip_per_hour: int = 20
    # Client addresses: X-Forwarded-For is read only from these proxies (CIDR list, comma
    # separated, e.g. "10.0.0.0/8,127.0.0.1/32"). Empty: the TCP peer is the client.
    trusted_proxies: str = ""
    api_docs: bool = True  # /docs and /openapi.json; a deployment may turn them off
    # Background jobs: a period per job name, to override the built-in ones (tests shorten them).
    job_seconds: dict[str, float] = {}
    # Run the background loops inside each web process (default), or only in `qi-academy worker`.
    workers_in_app: bool = True
    # Record new module versions at start-up (one instance, `make run`). With several instances,
    # the deploy step runs `qi-academy content sync` once and the app only looks them up.
    content_sync: bool = True
    secure_cookies: bool = False
    # Outbound email (app/outbox): dev and test write .eml files to var_dir/outbox; prod uses SMTP.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "QI Academy <no-reply@qi-academy.nhs.uk>"
    # Where people write for help, to report an accessibility problem or to complain (/contact).
    support_email: str = "support@qi-academy.nhs.uk"
    smtp_starttls: bool = True
    outbox_worker: bool = True  # the delivery loop in the app's lifespan (never under tests)
    # Refreshes the report rollups every minute in the app's lifespan (never under tests); with
    # several app processes they take turns through a row lock. Off: run `qi-academy reports refresh`.
    reports_worker: bool = True
    # The hourly Gold sweep (lapsed trainer roles, expiry reminders). Off: `qi-academy gold expire`.
    gold_worker: bool = True

    @model_validator(mode="after")
    def _secret(self) -> Settings:
        if self.env == "prod":
            # Length alone is not entropy: 32 x "a" passed the old check. A random secret of 32+
            # characters has far more than 16 distinct ones.
            if len(self.secret_key) < 32 or len(set(self.secret_key)) < 16:
                raise ValueError(
                    "QIA_SECRET_KEY must be a random value of at least 32 characters (with at least "
                    "16 different characters) in prod. Make one with: "
                    'python -c "import secrets; print(secrets.token_urlsafe(48))"'
                )
        elif not self.secret_key:
            self.secret_key = _dev_secret()
        self.base_url = self.base_url.rstrip("/")
        self.proxy_networks()  # a bad CIDR stops the app at start, with the variable's name
        return self

    def proxy_networks(self) -> tuple[IPv4Network | IPv6Network, ...]:
        return parse_networks(self.trusted_proxies)


@lru_cache(maxsize=8)
def parse_networks(spec: str) -> tuple[IPv4Network | IPv6Network, ...]:
    """QIA_TRUSTED_PROXIES: "10.0.0.0/8, 127.0.0.1" -> networks (a bare address is a /32 or /128)."""
    try:
        return tuple(ip_network(p.strip(), strict=False) for p in spec.split(",") if p.strip())
    except ValueError as exc:
        raise ValueError(
            f"QIA_TRUSTED_PROXIES must be a comma-separated list of addresses or CIDR ranges: {exc}"
        ) from exc


def _dev_secret() -> str:
    """Generate a secret once per checkout so dev sessions survive restarts without a shared default."""
    if _DEV_SECRET_FILE.exists():
        return _DEV_SECRET_FILE.read_text().strip()
    VAR.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    _DEV_SECRET_FILE.write_text(value)
    _DEV_SECRET_FILE.chmod(0o600)
    return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
