"""Reads: one module per subject beside its actions (``queries.outreach`` beside ``actions.outreach``), used
alike by the web pages, the API, the CLI and jobs. A query takes an open SQLAlchemy session, applies the read
rules of its subject (who may see what) and returns rows or plain data; it never changes anything."""
