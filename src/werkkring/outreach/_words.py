"""The words of reports, newsletters and feeds, from the app's gettext catalogs in a fixed language (the
session's, or each member's), whatever page is being rendered."""

from __future__ import annotations

from functools import cache
from typing import Protocol

from werkkring.i18n import translator


class Words(Protocol):
    def __call__(self, message: str, /, **params: object) -> str: ...


@cache
def words(language: str) -> Words:
    """``w(msgid, **params)``: the message in ``language`` (anything but nl is English), parameters filled in
    (``%(name)s``)."""
    gettext = translator("nl" if language == "nl" else "en")

    def w(message: str, /, **params: object) -> str:
        text = gettext(message)
        return text % params if params else text

    return w
