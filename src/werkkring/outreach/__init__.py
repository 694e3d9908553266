"""Everything that carries the network's work outside the app: session reports (Markdown, HTML, PDF), the
newsletter, calendar feeds and the postal list for mailings. Reads through an open SQLAlchemy session; the few
changes of state (unsubscribing, consent) go through ``werkkring.actions.outreach``. No web code here."""

from werkkring.outreach._calendar import TIMEZONE, circle_feed, event_uid, member_feed, member_feed_for
from werkkring.outreach._newsletter import (
    Digest,
    Newsletter,
    SendResult,
    build_digest,
    newsletter_mail,
    read_unsubscribe_token,
    recipients,
    render_newsletter,
    send_newsletter,
    unsubscribe_token,
    unsubscribe_url,
)
from werkkring.outreach._pdf import PANGO_HINT, PdfUnavailable, pdf_available
from werkkring.outreach._postal import (
    INCOMPLETE,
    NO_CONSENT,
    PER_SHEET,
    Address,
    PostalList,
    labels_pdf,
    postal_list,
    safe_cell,
    to_csv,
    why_left_out,
)
from werkkring.outreach._report import (
    SessionReport,
    build_session_report,
    render_html,
    render_markdown,
    render_pdf,
)

REPORT_FORMATS = ("md", "html", "pdf")

__all__ = [
    "INCOMPLETE",
    "NO_CONSENT",
    "PANGO_HINT",
    "PER_SHEET",
    "REPORT_FORMATS",
    "TIMEZONE",
    "Address",
    "Digest",
    "Newsletter",
    "PdfUnavailable",
    "PostalList",
    "SendResult",
    "SessionReport",
    "build_digest",
    "build_session_report",
    "circle_feed",
    "event_uid",
    "labels_pdf",
    "member_feed",
    "member_feed_for",
    "newsletter_mail",
    "pdf_available",
    "postal_list",
    "read_unsubscribe_token",
    "recipients",
    "render_html",
    "render_markdown",
    "render_newsletter",
    "render_pdf",
    "safe_cell",
    "send_newsletter",
    "to_csv",
    "unsubscribe_token",
    "unsubscribe_url",
    "why_left_out",
]
