"""Settings from the environment, read once where a program starts (the CLI's root command, the web app's
factory) and passed to whatever needs them. Zero configuration gives a SQLite file in the working
directory."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///./werkkring.db"


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    outbox_dir: Path
    smtp_host: str | None
    smtp_port: int
    smtp_user: str | None
    smtp_password: str | None
    mail_from: str
    base_url: str

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        return cls(
            database_url=env.get("WERKKRING_DATABASE_URL", DEFAULT_DATABASE_URL),
            secret_key=env.get("WERKKRING_SECRET_KEY", ""),
            outbox_dir=Path(env.get("WERKKRING_OUTBOX", "./outbox")),
            smtp_host=env.get("WERKKRING_SMTP_HOST") or None,
            smtp_port=int(env.get("WERKKRING_SMTP_PORT", "587")),
            smtp_user=env.get("WERKKRING_SMTP_USER") or None,
            smtp_password=env.get("WERKKRING_SMTP_PASSWORD") or None,
            mail_from=env.get("WERKKRING_MAIL_FROM", "werkkring@localhost"),
            base_url=env.get("WERKKRING_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
        )
