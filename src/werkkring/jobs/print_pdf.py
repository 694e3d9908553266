"""Table cards and group lists as PDF for a large room, made by a background job: WeasyPrint takes a second
or more per few tables, and a hall of a hundred tables is a minute no request should hold a web process for.
The page's HTML is the job's input; the PDF is kept in ``report_files`` under the SHA-256 of that HTML, so
every web process serves it and a changed seating is made again."""

from __future__ import annotations

import hashlib

from werkkring.outreach import html_to_pdf
from werkkring.queue import JobContext, handler
from werkkring.store.models import ReportFile

KIND = "room.print_pdf"
# From this many tables on, the PDF is made in the background; fewer are made in the request.
LARGE_ROOM = 12


def digest_of(html: str) -> str:
    return hashlib.sha256(html.encode()).hexdigest()


@handler(KIND, max_attempts=3, backoff=10.0)
def make_print_pdf(context: JobContext, *, session_id: int, digest: str, html: str, base_url: str) -> None:
    if digest_of(html) != digest:
        raise ValueError("the print's HTML does not match its digest")
    data = html_to_pdf(html, base_url=base_url)
    with context.database.transaction() as session:
        if session.get(ReportFile, digest) is None:
            session.add(ReportFile(digest=digest, session_id=session_id, data=data))
