"""Display names of the domain's fixed values, marked for the catalogs and translated when shown."""

from __future__ import annotations

from typing import Final

from werkkring import i18n
from werkkring.domain import NOT_SHARED
from werkkring.i18n import N_

LABELS: Final[dict[str, dict[str, str]]] = {
    "role": {"member": N_("member"), "host": N_("host"), "admin": N_("admin")},
    "session_status": {
        "draft": N_("draft"),
        "open": N_("open for sign-up"),
        "grouped": N_("groups formed"),
        "running": N_("in progress"),
        "synthesised": N_("synthesised"),
        "published": N_("published"),
        "cancelled": N_("cancelled"),
    },
    "initiative_status": {
        "proposed": N_("proposed"),
        "active": N_("active"),
        "paused": N_("paused"),
        "done": N_("done"),
    },
    "visibility": {
        "network": N_("the network"),
        "circles": N_("my circles"),
        "private": N_("only me"),
    },
    "field": {
        "email": N_("E-mail address"),
        "region": N_("Region"),
        "country": N_("Country"),
        "age_band": N_("Age"),
        "joined_on": N_("Member since"),
        "offers": N_("Offers"),
        "needs": N_("Looking for"),
        "interests": N_("Interests"),
    },
    "address_field": {
        "street": N_("Street and number"),
        "postal_code": N_("Postal code"),
        "city": N_("City"),
        "country": N_("Country"),
    },
    "tenure": {
        "newcomer": N_("newcomer"),
        "settling": N_("settling in"),
        "old hand": N_("old hand"),
        NOT_SHARED: N_("not shared"),
    },
    # A count of what people show (the host's group mix): a value its owner does not show the reader.
    "mix": {NOT_SHARED: N_("not shared")},
    "helix": {"private": N_("Private life"), "society": N_("Society"), "labour_market": N_("Labour market")},
    "introduction_status": {
        "proposed": N_("proposed"),
        "accepted": N_("accepted"),
        "met": N_("met"),
        "declined": N_("declined"),
    },
    "circle_kind": {"local": N_("local circle"), "thematic": N_("thematic circle")},
    "job_status": {
        "queued": N_("waiting"),
        "running": N_("running"),
        "retrying": N_("to be tried again"),
        "done": N_("done"),
        "failed": N_("failed"),
    },
    "job_kind": {
        "mail.link": N_("Mail with a link (sign in, password, invitation)"),
        "newsletter": N_("Newsletter"),
        "report.pdf": N_("Session report as PDF"),
        "synthesis": N_("Synthesis of a large input"),
    },
    "job_item": {
        "sending": N_("being sent"),
        "done": N_("done"),
        "failed": N_("failed"),
        "in_doubt": N_("unknown (the runner stopped while sending)"),
    },
    "job_progress": {
        "handled": N_("Handled"),
        "total": N_("Total"),
        "done": N_("Done"),
        "failed": N_("Failed"),
        "in_doubt": N_("Unknown"),
    },
}


def label(kind: str, value: str | None) -> str:
    """The translated display name of ``value``; unknown values are shown as they are."""
    if value is None:
        return ""
    message = LABELS.get(kind, {}).get(value)
    return i18n.gettext(message) if message else value
