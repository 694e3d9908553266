"""Dutch by default, English by choice: gettext catalogs (web/locale/<lang>/LC_MESSAGES/messages.po, compiled
to .mo) and Babel for dates and numbers. The locale of the page being rendered lives in a context variable."""

from __future__ import annotations

import datetime as dt
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
