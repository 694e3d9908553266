"""Structured logs: one line per event, as JSON (default) or key=value, with the request id of the web request
or the id of the job being run on every line that is written while it runs.

The ids live in context variables, so a line logged deep inside an action carries the id of the request that
called it without anyone passing it along. ``configure()`` is called once by ``werkkring serve`` and
``werkkring worker``; libraries' loggers (uvicorn, huey, SQLAlchemy) go through the same formatter.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Final

request_id: ContextVar[str | None] = ContextVar("werkkring_request_id", default=None)
job_id: ContextVar[str | None] = ContextVar("werkkring_job_id", default=None)

FORMATS: Final = ("json", "kv")
# Attributes every LogRecord has; anything else given through ``extra=`` is a field of the line.
_STANDARD: Final = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class ContextFilter(logging.Filter):
    """Puts the current request id and job id on every record (``None`` outside a request or job)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        if not hasattr(record, "job_id"):
            record.job_id = job_id.get()
        return True


def fields(record: logging.LogRecord) -> dict[str, Any]:
    """The line's fields in a stable order: time, level, logger, ids, message, then the extras."""
    out: dict[str, Any] = {
        "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
        "level": record.levelname.lower(),
        "logger": record.name,
        "pid": record.process,
    }
    for key in ("request_id", "job_id"):
        value = getattr(record, key, None)
        if value is not None:
            out[key] = value
    out["message"] = record.getMessage()
    for key, value in vars(record).items():
        # Private attributes are other libraries' stamps on every record (Ray adds _ray_timestamp_ns once it
        # is imported in the process), not extras anyone logged.
        if key not in _STANDARD and key not in out and key not in ("request_id", "job_id") and key[:1] != "_":
            out[key] = value
    if record.exc_info:
        out["error"] = logging.Formatter().formatException(record.exc_info)
    return out


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(fields(record), ensure_ascii=False, default=str)


class KeyValueFormatter(logging.Formatter):
    """``time=… level=info logger=werkkring.web request_id=… message="GET /" status=200`` (logfmt)."""

    def format(self, record: logging.LogRecord) -> str:
        return " ".join(f"{key}={_logfmt(value)}" for key, value in fields(record).items())


def _logfmt(value: object) -> str:
    text = str(value)
    if text and not any(c in text for c in ' ="\n\\'):
        return text
    return json.dumps(text, ensure_ascii=False)


def configure(level: str = "info", form: str = "json", stream: Any = None) -> None:
    """Route every logger through one handler on standard error (or ``stream``) in the chosen format."""
    if form not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}, not {form!r}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if form == "json" else KeyValueFormatter())
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "huey", "huey.consumer"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    # We write our own line per request (with its id and time); uvicorn's access line would say it twice.
    # WeasyPrint and fontTools narrate every step of every PDF at info level.
    for noisy in ("uvicorn.access", "weasyprint", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


@contextmanager
def job_context(value: str) -> Iterator[None]:
    token = job_id.set(value)
    try:
        yield
    finally:
        job_id.reset(token)
