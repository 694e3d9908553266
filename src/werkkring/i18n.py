"""The one translation stack for everything a person reads: gettext catalogs
(``werkkring/locale/<lang>/LC_MESSAGES/messages.po``, compiled to .mo) and Babel for dates and numbers.

Dutch by default, English by choice. Pages are rendered in the reader's locale, which lives in a context
variable (:data:`current_locale`); what is written for someone else or for the outside world — a session
report in the session's language, a newsletter in each member's — asks :func:`translator` for a fixed
language instead."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextvars import ContextVar
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Final

from babel import dates, numbers
from babel.support import NullTranslations, Translations

from werkkring.errors import (
    N_ as N_,  # marks a message for the catalog; defined beside the errors that use it
)

LOCALES: Final = ("nl", "en")
DEFAULT_LOCALE: Final = "nl"
LOCALE_DIR: Final = Path(__file__).parent / "locale"
LANGUAGE_NAMES: Final = {"nl": "Nederlands", "en": "English"}

current_locale: ContextVar[str] = ContextVar("werkkring_locale", default=DEFAULT_LOCALE)


def normalise(locale: str | None) -> str:
    return locale if locale in LOCALES else DEFAULT_LOCALE


@cache
def translations(locale: str) -> NullTranslations:
    return Translations.load(LOCALE_DIR, [normalise(locale)], domain="messages")


def gettext(message: str) -> str:
    return translations(current_locale.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_locale.get()).ngettext(singular, plural, n)


def _(message: str) -> str:
    return gettext(message)


def translator(language: str) -> Callable[[str], str]:
    """gettext for one fixed language, whatever page is being rendered."""
    return translations(normalise(language)).gettext


# Reports and newsletters are published documents with their own date style: "29 november 2026" and
# "29 November 2026", a 24-hour clock in both languages.
_DOCUMENT_LOCALES: Final = {"nl": "nl_NL", "en": "en_GB"}


def long_date(day: dt.date, language: str) -> str:
    return dates.format_date(day, format="long", locale=_DOCUMENT_LOCALES[normalise(language)])


def short_time(moment: dt.datetime, language: str) -> str:
    return dates.format_time(moment, format="HH:mm", locale=_DOCUMENT_LOCALES[normalise(language)])


def format_date(value: dt.date | None, form: str = "medium") -> str:
    return "" if value is None else dates.format_date(value, format=form, locale=current_locale.get())


def format_datetime(value: dt.datetime | None, form: str = "medium") -> str:
    """The date in ``form`` and the time in hours and minutes (stored times are local wall-clock times)."""
    if value is None:
        return ""
    locale = current_locale.get()
    day = dates.format_date(value, format=form, locale=locale)
    return f"{day}, {dates.format_time(value, 'short', locale=locale)}"


def format_time(value: dt.datetime | None) -> str:
    return "" if value is None else dates.format_time(value, format="short", locale=current_locale.get())


def format_number(value: int | float | Decimal | None, digits: int = 0) -> str:
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return numbers.format_decimal(value, format=pattern, locale=current_locale.get())


def format_percent(value: float | Decimal | None) -> str:
    return "" if value is None else numbers.format_percent(value, locale=current_locale.get())
