"""Settings from the environment (prefix QIA_), read once through a cached getter."""

from __future__ import annotations

import secrets
from functools import lru_cache
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
    token_minutes: int = 60 * 8
    jwt_issuer: str = "qi-academy"
    jwt_audience: str = "qi-academy-web"
    login_max_failures_per_account: int = 5
    login_max_failures_per_ip: int = 20
    login_window_minutes: int = 15
    secure_cookies: bool = False
    # Outbound email (app/outbox): dev and test write .eml files to var_dir/outbox; prod uses SMTP.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "QI Academy <no-reply@qi-academy.nhs.uk>"
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
            if len(self.secret_key) < 32 or self.secret_key.lower() in {"changeme", "secret"}:
                raise ValueError(
                    "QIA_SECRET_KEY must be set to a random value of at least 32 characters in prod "
                    '(for example: python -c "import secrets; print(secrets.token_urlsafe(48))")'
                )
        elif not self.secret_key:
            self.secret_key = _dev_secret()
        self.base_url = self.base_url.rstrip("/")
        return self


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
