"""How a message leaves: .eml files in a folder (dev, test) or an SMTP server (prod)."""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import Protocol

from app.core.config import Settings

SMTP_TIMEOUT_SECONDS = 15


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Deliver or raise: any exception counts as a failed attempt and is retried."""


class FileTransport:
    """Writes each message as an .eml file: what /dev/outbox lists."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, message: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        name = f"{stamp}-{message.get('X-QIA-Outbox-Id', '0')}.eml"  # sorts by time sent
        path = self.directory / name
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(bytes(message))
        tmp.replace(path)  # the page never lists a half-written file


class SmtpTransport:
    """Hands each message to the configured SMTP server (STARTTLS and login when configured)."""

    def __init__(self, settings: Settings) -> None:
        self.host = settings.smtp_host
        self.port = settings.smtp_port
        self.user = settings.smtp_user
        self.password = settings.smtp_password
        self.starttls = settings.smtp_starttls

    def send(self, message: EmailMessage) -> None:
        if not self.host:
            raise RuntimeError("QIA_SMTP_HOST is not set, so email cannot be sent")
        with smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password)
            smtp.send_message(message)


def transport_for(settings: Settings) -> Transport:
    """Production sends through SMTP; everywhere else writes files under var/outbox."""
    if settings.env == "prod":
        return SmtpTransport(settings)
    return FileTransport(outbox_dir(settings))


def outbox_dir(settings: Settings) -> Path:
    return settings.var_dir / "outbox"


def build_message(
    *,
    settings: Settings,
    message_id: int,
    to_address: str,
    subject: str,
    body: str,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.smtp_from
    msg["To"] = to_address
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    domain = parseaddr(settings.smtp_from)[1].rpartition("@")[2] or "qi-academy.invalid"
    msg["Message-ID"] = make_msgid(idstring=f"outbox.{message_id}", domain=domain)
    msg["X-QIA-Outbox-Id"] = str(message_id)
    msg.set_content(body)
    return msg
