"""xAPI tables: an organisation's learning record store, and the opaque id each learner has there."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base


class LrsConnection(Base):
    """Where an organisation's statements go: one learning record store per organisation."""

    __tablename__ = "lrs_connection"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    # The LRS's xAPI base, such as https://lrs.trust.nhs.uk/xAPI/ ("statements" is added).
    endpoint: Mapped[str] = mapped_column(String(500))
    username: Mapped[str] = mapped_column(String(200))
    # Encrypted with a key derived from QIA_SECRET_KEY (app/xapi/crypto.py), never stored plain.
    password_encrypted: Mapped[str] = mapped_column(String(2000))
    # Off: the actor is an account on our home page with an opaque name. On: the learner's email
    # (mbox), for an organisation whose LRS matches people by email and which has said so.
    send_email: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class XapiActor(Base):
    """A learner's name in statements: a random id made once, so it never reveals who they are
    and stays the same if their email or our secret key changes."""

    __tablename__ = "xapi_actor"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(36), unique=True)
    created_at: Mapped[datetime]
