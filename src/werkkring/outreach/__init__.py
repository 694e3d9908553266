"""The writing of everything that carries the network's work outside the app: session reports (Markdown,
HTML, PDF), the newsletter, calendar feeds and the postal list for mailings.

A library, not a layer of its own: it reads nothing and changes nothing. ``werkkring.queries.outreach``
reads what these write from, ``werkkring.actions.outreach`` changes state (sending the newsletter,
unsubscribing), and the pages and commands call both. Every word a person reads comes from the app's gettext
catalogs (:mod:`werkkring.i18n`), in the session's or the member's language."""

from werkkring.outreach._atom import FeedEntry, outcomes_feed
from werkkring.outreach._calendar import (
    FEED_HISTORY,
    TIMEZONE,
    circle_calendar,
    event_uid,
    member_calendar,
)
from werkkring.outreach._newsletter import (
    Digest,
    DigestInitiative,
    DigestSession,
    Newsletter,
    SendResult,
    newsletter_mail,
    read_unsubscribe_token,
    render_newsletter,
    signing_key,
    unsubscribe_token,
    unsubscribe_url,
)
from werkkring.outreach._pdf import PANGO_HINT, PdfUnavailable, html_to_pdf, pdf_available
from werkkring.outreach._postal import (
    INCOMPLETE,
    NO_CONSENT,
    PER_SHEET,
    Address,
    PostalList,
    labels_pdf,
    postal_list_of,
    safe_cell,
    to_csv,
    why_left_out,
)
from werkkring.outreach._report import (
    SessionReport,
    compose_session_report,
    render_html,
    render_markdown,
    render_pdf,
    theme_detail,
    who_line,
)

REPORT_FORMATS = ("md", "html", "pdf")

__all__ = [
    "FEED_HISTORY",
    "INCOMPLETE",
    "NO_CONSENT",
    "PANGO_HINT",
    "PER_SHEET",
    "REPORT_FORMATS",
    "TIMEZONE",
    "Address",
    "Digest",
    "DigestInitiative",
    "DigestSession",
    "FeedEntry",
    "Newsletter",
    "PdfUnavailable",
    "PostalList",
    "SendResult",
    "SessionReport",
    "circle_calendar",
    "compose_session_report",
    "event_uid",
    "html_to_pdf",
    "labels_pdf",
    "member_calendar",
    "newsletter_mail",
    "outcomes_feed",
    "pdf_available",
    "postal_list_of",
    "read_unsubscribe_token",
    "render_html",
    "render_markdown",
    "render_newsletter",
    "render_pdf",
    "safe_cell",
    "signing_key",
    "theme_detail",
    "to_csv",
    "unsubscribe_token",
    "unsubscribe_url",
    "who_line",
    "why_left_out",
]
