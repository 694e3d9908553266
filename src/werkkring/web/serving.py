"""The app as a server runs it: settings read once from the environment, logs configured, the connections
network fitted in the background. ``werkkring serve`` uses it; so does any ASGI server with several
processes, each of which calls the factory once:

    uvicorn --factory werkkring.web.serving:app --workers 4 --host 127.0.0.1 --port 8000 --proxy-headers
"""

from __future__ import annotations

import threading

from fastapi import FastAPI

from werkkring import logs
from werkkring.config import Settings
from werkkring.store import Database


def app(settings: Settings | None = None) -> FastAPI:
    from werkkring.queries.connections import keep_fitted
    from werkkring.web.app import create_app
    from werkkring.web.common import templates

    settings = settings or Settings.from_env()
    logs.configure(settings.log_level, settings.log_format)
    database = Database(settings.database_url)
    # The connections pages ask a fitted network; fit it before the first member asks, and keep it fresh
    # (each web process holds its own fit).
    threading.Thread(target=keep_fitted, args=(database,), name="fit-network", daemon=True).start()
    # Compile the page templates now (under a second): otherwise the first burst of visitors compiles each
    # page once per thread at the same moment (a tenth of the session page's time in the first seconds).
    for name in templates.list_templates(filter_func=lambda name: name.endswith(".html")):
        templates.get_template(name)
    return create_app(database, settings)
