"""The network's public session outcomes as an Atom feed (RFC 4287), written with feedgen: one entry per
outcome a host made public, newest first, each linking to its public page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from feedgen.feed import FeedGenerator


@dataclass(frozen=True)
class FeedEntry:
    """One public outcome: where it lives, its title and summary, when it was made public."""

    path: str
    title: str
    summary: str
    updated: dt.datetime
    language: str = "nl"


def outcomes_feed(
    entries: Sequence[FeedEntry], *, base_url: str, title: str, subtitle: str, language: str = "nl"
) -> bytes:
    base = base_url.rstrip("/")
    feed = FeedGenerator()
    feed.id(f"{base}/feeds/outcomes.atom")
    feed.title(title)
    feed.subtitle(subtitle)
    feed.link(href=f"{base}/feeds/outcomes.atom", rel="self", type="application/atom+xml")
    feed.link(href=f"{base}/", rel="alternate", type="text/html")
    feed.language(language)
    feed.generator("werkkring")
    newest = max((e.updated for e in entries), default=dt.datetime(2026, 1, 1))
    feed.updated(newest.replace(tzinfo=dt.UTC))
    # feedgen writes entries in reverse order of adding: add the oldest first.
    for entry in reversed(entries):
        item = feed.add_entry()
        url = f"{base}{entry.path}"
        item.id(url)
        item.title(entry.title)
        item.link(href=url, rel="alternate", type="text/html")
        item.summary(entry.summary or entry.title)
        item.updated(entry.updated.replace(tzinfo=dt.UTC))
        item.published(entry.updated.replace(tzinfo=dt.UTC))
    data: bytes = feed.atom_str(pretty=True)
    return data
