"""Session reports as PDF for large sessions, made by a background job: WeasyPrint takes seconds for a report
of a few hundred contributions, which no request should hold a web process for. The PDF is kept in the
database (every web process can serve it) under the SHA-256 of the report's HTML, so a changed report is made
again and an unchanged one is served at once."""

from __future__ import annotations

from werkkring import outreach
from werkkring.queries.outreach import session_report
from werkkring.queue import JobContext, handler
from werkkring.store.models import ReportFile

KIND = "report.pdf"
# From this many contributions on, the PDF is made in the background (a few seconds and more on a busy
# machine); smaller reports are made in the request.
LARGE_REPORT = 150


def report_digest(report: outreach.SessionReport) -> str:
    import hashlib

    return hashlib.sha256(outreach.render_html(report).encode()).hexdigest()


@handler(KIND, max_attempts=3, backoff=10.0)
def make_report_pdf(context: JobContext, *, session_id: int, digest: str) -> None:
    with context.database.reader() as session:
        report = session_report(session, session_id)
    if report_digest(report) != digest:  # the report changed since it was asked for: the page asks again
        return
    data = outreach.render_pdf(report)
    with context.database.transaction() as session:
        if session.get(ReportFile, digest) is None:
            session.add(ReportFile(digest=digest, session_id=session_id, data=data))
