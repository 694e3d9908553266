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
    # Background jobs: sqlite:///FILE (embedded default, next to a SQLite database), redis://HOST:PORT/DB,
    # or "immediate" (each job runs in the process that asked for it, right after commit; tests, scripts).
    jobs_url: str = "immediate"
    # Redis for what several web processes share (live updates, rate limits); None: through the database.
    redis_url: str | None = None
    log_format: str = "json"
    log_level: str = "info"
    llm_url: str | None = None
    llm_model: str = ""
    llm_key: str | None = None
    llm_timeout: float = 60.0
    # Guests of a work session (joined by its code without an account) are deleted this many days after the
    # session's publication (docs/guests.md).
    guest_retention_days: int = 30

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        database = env.get("WERKKRING_DATABASE_URL", DEFAULT_DATABASE_URL)
        redis = env.get("WERKKRING_REDIS_URL") or None
        return cls(
            database_url=database,
            secret_key=env.get("WERKKRING_SECRET_KEY", ""),
            outbox_dir=Path(env.get("WERKKRING_OUTBOX", "./outbox")),
            smtp_host=env.get("WERKKRING_SMTP_HOST") or None,
            smtp_port=int(env.get("WERKKRING_SMTP_PORT", "587")),
            smtp_user=env.get("WERKKRING_SMTP_USER") or None,
            smtp_password=env.get("WERKKRING_SMTP_PASSWORD") or None,
            mail_from=env.get("WERKKRING_MAIL_FROM", "werkkring@localhost"),
            base_url=env.get("WERKKRING_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
            jobs_url=env.get("WERKKRING_JOBS_URL") or default_jobs_url(database, redis),
            redis_url=redis,
            log_format=env.get("WERKKRING_LOG_FORMAT", "json"),
            log_level=env.get("WERKKRING_LOG_LEVEL", "info"),
            llm_url=env.get("WERKKRING_LLM_URL") or None,
            llm_model=env.get("WERKKRING_LLM_MODEL", ""),
            llm_key=env.get("WERKKRING_LLM_KEY") or None,
            llm_timeout=_seconds(env.get("WERKKRING_LLM_TIMEOUT", "60"), "WERKKRING_LLM_TIMEOUT"),
            guest_retention_days=_days(env.get("WERKKRING_GUEST_RETENTION_DAYS", "30")),
        )


def default_jobs_url(database: str, redis: str | None) -> str:
    """Redis when configured; else a SQLite queue file beside a SQLite database (no extra service), or
    ./werkkring-jobs.db beside a PostgreSQL one (one machine; set WERKKRING_JOBS_URL=redis://… for more)."""
    if redis:
        return redis
    prefix = "sqlite:///"
    if database.startswith(prefix) and database[len(prefix) :] not in ("", ":memory:"):
        path = Path(database[len(prefix) :])
        return prefix + str(path.with_name(path.stem + "-jobs.db"))
    return prefix + "./werkkring-jobs.db"


def _seconds(value: str, name: str) -> float:
    from werkkring.errors import InputError

    try:
        seconds = float(value)
    except ValueError:
        raise InputError(f"{name} must be a number of seconds, not {value!r}") from None
    if not 0 < seconds <= 600:
        raise InputError(f"{name} must be between 0 and 600 seconds, not {value}")
    return seconds


def _days(value: str) -> int:
    from werkkring.errors import InputError

    if not value.strip().isdigit() or not 1 <= int(value) <= 3650:
        raise InputError(
            f"WERKKRING_GUEST_RETENTION_DAYS must be a whole number of days from 1 to 3650, not {value!r}"
        )
    return int(value)
