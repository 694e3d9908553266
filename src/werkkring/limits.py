"""Every limit a person's input meets, declared once: the one place for value checks.

The file readers, the actions, the pages, the API and the command line all check what a person gave against
these tables before anything reaches the database. That is what makes SQLite and PostgreSQL behave the same:
without it SQLite stored a title of a million characters or a birth year of 99999999999 that PostgreSQL
refused with a server error, and both took a NUL byte, a session in the year 9999 or "XX" as a country.

A table maps a subject's field names to a limit (:data:`MEMBER`, :data:`WORK_SESSION`, :data:`INITIATIVE`,
:data:`FILES`...). Each limit *cleans* a value: it accepts the typed value (from the API or an action) or the
text a person typed (a form, a cell of a file), and gives back the value to store together with every
:class:`~werkkring.errors.Problem` found. A problem names the field and carries an English template with
named parameters, so the pages show it in the member's language; the field's display name is a
:class:`~werkkring.errors.Term` and is translated with it::

    year, problems = MEMBER["birth_year"].clean("1984", field="birth_year")
    values, problems = check(WORK_SESSION, {"title": title, "starts_at": starts_at})
    values = require(WORK_SESSION, {"title": title, "starts_at": starts_at})  # raises InputError

What every text limit refuses, whatever the field: NUL and the other invisible control characters (tab and
line breaks excepted), lone UTF-16 surrogates (they cannot be stored as UTF-8), line breaks in one-line
fields, and more characters than the field holds. Lengths count characters, as PostgreSQL's ``VARCHAR(n)``
does; whole numbers fit PostgreSQL's 32-bit ``INTEGER`` (SQLite's are wider). Times without a zone are wall
-clock times in :data:`werkkring.domain.TIMEZONE`; times with a zone are converted to it. A bare number is
never taken for a date or time (a Unix timestamp is not something a person means).

Required fields and choices from a fixed list (roles, languages, helixes) are checked where the subject's
rules live; the limits here are what any value of the field must respect.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import cache
from types import MappingProxyType
from typing import Any, Final, Generic, NamedTuple, Protocol, TypeVar
from zoneinfo import ZoneInfo

from werkkring.domain import TIMEZONE
from werkkring.errors import N_, InputError, Problem, Term

T = TypeVar("T")

DB_INT_MAX: Final = 2**31 - 1
"""The largest whole number both databases store in an ``INTEGER`` column (PostgreSQL's is 32-bit)."""

FILE_BYTES_MAX: Final = 256 * 1024 * 1024
"""The largest file the readers take (256 MiB: 100,000 contributions of 2,000 characters fit comfortably)."""

SHOWN_MAX: Final = 40
"""How much of a wrong value a message repeats: enough to find it, never the whole 10 MB."""

_ZONE: Final = ZoneInfo(TIMEZONE)
# Line breaks in the sense of str.splitlines(), which a one-line field must not hold.
_LINE_BREAKS: Final = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
# What no text takes: control characters (C0 and C1) and lone surrogates. Text over several lines keeps tab,
# line feed and carriage return (Windows line ends); a one-line field keeps only the tab and also refuses the
# Unicode line and paragraph separators. A regular expression each, so a 10 MB value is checked at C speed.
_BAD_MULTILINE: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_BAD_ONE_LINE: Final = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_WHOLE: Final = re.compile(r"[+-]?[0-9]{1,12}")
_BARE_NUMBER: Final = re.compile(r"[+-]?[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?")
_EMAIL: Final = re.compile(r"[^@\s,;<>\"()\[\]\\]+@[^@\s,;<>\"()\[\]\\]+\.[A-Za-z]{2,}")

# The templates, written once so every field says the same thing the same way.
TOO_LONG: Final = N_("%(label)s can be at most %(limit)s characters long (this one has %(length)s)")
CONTROL: Final = N_(
    "%(label)s contains the invisible control character %(code)s at position %(position)s; remove it"
)
SURROGATE: Final = N_(
    "%(label)s contains a broken character (a lone UTF-16 surrogate) at position %(position)s"
)
LINE_BREAK: Final = N_("%(label)s must be one line, without line breaks")
NOT_TEXT: Final = N_("%(label)s must be text")
NOT_WHOLE: Final = N_("%(label)s must be a whole number, not %(value)r")
OUT_OF_RANGE: Final = N_("%(label)s must be between %(minimum)s and %(maximum)s, not %(value)s")
ABOVE_UP_TO: Final = N_("%(label)s must be more than %(minimum)s and at most %(maximum)s, not %(value)s")
NOT_NUMBER: Final = N_("%(label)s must be a number such as 1.5, not %(value)r")
TOO_PRECISE: Final = N_("%(label)s takes at most %(places)s decimals, not %(value)s")
NOT_COUNTRY: Final = N_(
    "%(label)s must be a two-letter ISO 3166 country code such as NL, BE or DE, not %(value)r"
)
COUNTRY_HINT: Final = N_("%(label)s: %(value)r is not an ISO 3166 country code; did you mean %(suggestion)s?")
NOT_EMAIL: Final = N_("%(label)s: %(value)r is not an e-mail address such as name@example.org")
NOT_MOMENT: Final = N_("%(label)s must be a date and time such as 2026-03-14T19:30, not %(value)r")
BARE_NUMBER: Final = N_(
    "%(label)s: a bare number such as %(value)s is not a date and time; write it as 2026-03-14T19:30"
)
NOT_DAY: Final = N_("%(label)s must be a date such as 2026-03-14, not %(value)r")
NOT_BETWEEN: Final = N_("%(label)s must lie between %(earliest)s and %(latest)s, not %(value)s")


class Checked(NamedTuple, Generic[T]):
    """A cleaned value (``None`` when it could not be read) and every problem found with it."""

    value: T | None
    problems: list[Problem]


class Limit(Protocol[T]):
    """What any limit offers: a display name and a way to clean a value."""

    @property
    def label(self) -> str: ...

    def clean(
        self, value: object, *, field: str, source: str | None = None, line: int | None = None
    ) -> Checked[T]: ...

    def problems(self, value: object, *, field: str) -> list[Problem]: ...


def shown(value: object) -> str:
    """A value as a message repeats it: at most :data:`SHOWN_MAX` characters, broken characters escaped."""
    try:
        text = value if isinstance(value, str) else repr(value)
    except ValueError:  # an integer of more than 4,300 digits has no repr
        text = f"a number of {value.bit_length() * 3 // 10}+ digits" if isinstance(value, int) else "?"
    if len(text) > SHOWN_MAX:
        text = text[: SHOWN_MAX - 1] + "…"
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


@dataclasses.dataclass(frozen=True)
class _Kind:
    """What every kind of limit has: the field's English display name (marked for the catalogs)."""

    label: str

    def problem(
        self,
        template: str,
        *,
        field: str,
        source: str | None,
        line: int | None,
        **params: Any,
    ) -> Problem:
        return Problem(template, source, line, field, params={"label": Term(self.label), **params})

    def clean(
        self, value: object, *, field: str, source: str | None = None, line: int | None = None
    ) -> Checked[Any]:
        raise NotImplementedError

    def problems(self, value: object, *, field: str) -> list[Problem]:
        """Only the problems, for a caller that keeps the value it has."""
        return self.clean(value, field=field).problems


def text_problems(label: str, value: str, *, field: str, multiline: bool = True) -> list[Problem]:
    """The characters no text field takes: control characters, lone surrogates, line breaks where one line
    is wanted. Only the first offending character is reported (the rest are usually the same mistake)."""
    found = (_BAD_MULTILINE if multiline else _BAD_ONE_LINE).search(value)
    if found is None:
        return []
    char = found.group()
    code = ord(char)
    params: dict[str, Any] = {"label": Term(label), "position": found.start() + 1}
    if 0xD800 <= code <= 0xDFFF:
        return [Problem(SURROGATE, field=field, params=params)]
    if char in _LINE_BREAKS and not multiline:
        return [Problem(LINE_BREAK, field=field, params={"label": Term(label)})]
    return [Problem(CONTROL, field=field, params={**params, "code": f"U+{code:04X}"})]


@dataclasses.dataclass(frozen=True)
class Text(_Kind):
    """Text a person writes. Surrounding white space is taken off; ``multiline`` allows line breaks."""

    max_length: int
    multiline: bool = False

    def clean(
        self, value: object, *, field: str, source: str | None = None, line: int | None = None
    ) -> Checked[str]:
        if not isinstance(value, str):
            return Checked(None, [self.problem(NOT_TEXT, field=field, source=source, line=line)])
        text = value.strip()
        found = [
            dataclasses.replace(p, source=source, line=line)
            for p in text_problems(self.label, text, field=field, multiline=self.multiline)
        ]
        if len(text) > self.max_length:
            found.append(
                self.problem(
                    TOO_LONG,
                    field=field,
                    source=source,
                    line=line,
                    limit=f"{self.max_length:,}",
                    length=f"{len(text):,}",
                )
            )
        return Checked(None if found else text, found)


@dataclasses.dataclass(frozen=True)
class Email(Text):
    """An e-mail address: one line, ``name@domain.tld``, kept in lower case."""

    max_length: int = 254  # RFC 5321: the longest address a mail server passes on

    def clean(
        self, value: object, *, field: str, source: str | None = None, line: int | None = None
    ) -> Checked[str]:
        text, found = super().clean(value, field=field, source=source, line=line)
        if text is None:
            return Checked(None, found)
        if text and not _EMAIL.fullmatch(text):
            return Checked(
                None, [self.problem(NOT_EMAIL, field=field, source=source, line=line, value=shown(text))]
            )
        return Checked(text.lower(), [])


@dataclasses.dataclass(frozen=True)
class Whole(_Kind):
    """A whole number between ``minimum`` and ``maximum`` (both included). Text must be plain ASCII digits
    with an optional sign: no ``²³``, ``1_000``, ``١٢`` or ``1e3``."""

    minimum: int
    maximum: int

    def bounds(self, today: dt.date | None = None) -> tuple[int, int]:
        return self.minimum, self.maximum

    def clean(
        self,
        value: object,
        *,
        field: str,
        source: str | None = None,
        line: int | None = None,
        today: dt.date | None = None,
    ) -> Checked[int]:
        number: int
        if isinstance(value, str):
            text = value.strip()
            if not _WHOLE.fullmatch(text):
                return Checked(
                    None, [self.problem(NOT_WHOLE, field=field, source=source, line=line, value=shown(text))]
                )
            number = int(text)
        elif isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            return Checked(
                None, [self.problem(NOT_WHOLE, field=field, source=source, line=line, value=shown(value))]
            )
        low, high = self.bounds(today)
        if not low <= number <= high:
            shown_number = shown(str(number)) if abs(number) < 10**40 else "…"
            return Checked(
                None,
                [
                    self.problem(
                        OUT_OF_RANGE,
                        field=field,
                        source=source,
                        line=line,
                        minimum=low,
                        maximum=high,
                        value=shown_number,
                    )
                ],
            )
        return Checked(number, [])


@dataclasses.dataclass(frozen=True)
class BirthYear(Whole):
    """A birth year a member can have: from ``minimum`` up to ``youngest_age`` years before this year."""

    minimum: int = 1900
    maximum: int = DB_INT_MAX
    youngest_age: int = 14

    def bounds(self, today: dt.date | None = None) -> tuple[int, int]:
        return self.minimum, (today or dt.date.today()).year - self.youngest_age


@dataclasses.dataclass(frozen=True)
class Amount(_Kind):
    """A decimal quantity (hours) above ``minimum`` (excluded) up to ``maximum``, with at most ``places``
    decimals. Comma or point as the decimal sign; no NaN, no infinity, no exponent."""

    minimum: Decimal
    maximum: Decimal
    places: int = 2

    def clean(
        self, value: object, *, field: str, source: str | None = None, line: int | None = None
    ) -> Checked[Decimal]:
        try:
            if isinstance(value, str):
                text = value.strip().replace(",", ".", 1)
                if not re.fullmatch(r"[+-]?([0-9]{1,9}(\.[0-9]*)?|\.[0-9]+)", text):
                    raise InvalidOperation
                amount = Decimal(text)
            elif isinstance(value, Decimal | int | float) and not isinstance(value, bool):
                amount = Decimal(str(value))
            else:
                raise InvalidOperation
            if not amount.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            return Checked(
                None, [self.problem(NOT_NUMBER, field=field, source=source, line=line, value=shown(value))]
            )
        if not self.minimum < amount <= self.maximum:
            return Checked(
                None,
                [
                    self.problem(
                        ABOVE_UP_TO,
                        field=field,
                        source=source,
                        line=line,
                        minimum=self.minimum,
                        maximum=self.maximum,
                        value=shown(str(amount)),
                    )
                ],
            )
        exponent = amount.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > self.places:
            return Checked(
                None,
                [
                    self.problem(
                        TOO_PRECISE,
                        field=field,
                        source=source,
                        line=line,
                        places=self.places,
                        value=shown(str(amount)),
                    )
                ],
            )
        return Checked(amount.quantize(Decimal(1).scaleb(-self.places)), [])


@cache
def iso_countries() -> frozenset[str]:
    """The 249 ISO 3166-1 alpha-2 codes (pycountry keeps the ISO list; Babel's CLDR list adds the EU,
    pseudo-locales and unofficial codes, which are not countries a member lives in)."""
    import pycountry

    return frozenset(country.alpha_2 for country in pycountry.countries)


def _country_suggestion(code: str) -> str | None:
    """GB for UK, NL for NLD: the ISO code a person most likely meant."""
    import pycountry
    from babel.core import get_global

    aliases = get_global("territory_aliases").get(code)
    if aliases and aliases[0] in iso_countries():
        return str(aliases[0])
    if len(code) == 3:
        country = pycountry.countries.get(alpha_3=code)
        if country is not None:
            return str(country.alpha_2)
    return None


@dataclasses.dataclass(frozen=True)
class Country(_Kind):
    """An ISO 3166-1 alpha-2 country code, kept in capitals (``nl`` becomes ``NL``)."""

    def clean(
        self, value: object, *, field: str, source: str | None = None, line: int | None = None
    ) -> Checked[str]:
        if not isinstance(value, str):
            return Checked(None, [self.problem(NOT_TEXT, field=field, source=source, line=line)])
        code = value.strip().upper()
        if code in iso_countries():
            return Checked(code, [])
        suggestion = _country_suggestion(code) if code.isascii() else None
        if suggestion:
            problem = self.problem(
                COUNTRY_HINT, field=field, source=source, line=line, value=shown(code), suggestion=suggestion
            )
        else:
            problem = self.problem(NOT_COUNTRY, field=field, source=source, line=line, value=shown(value))
        return Checked(None, [problem])


def wall_clock(moment: dt.datetime) -> dt.datetime:
    """A time as stored: naive wall-clock time in :data:`~werkkring.domain.TIMEZONE` (an aware time is
    converted to it first, so 18:30Z in summer is 20:30)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.replace(tzinfo=None)
    return moment.astimezone(_ZONE).replace(tzinfo=None)


@dataclasses.dataclass(frozen=True)
class Moment(_Kind):
    """A date and time between the start of ``earliest_year`` and ``years_ahead`` years from now.

    Takes a datetime (aware or naive) or ISO 8601 text (``2026-03-14T19:30``, ``2026-03-14 19:30``,
    ``2026-03-14T18:30Z``); a bare number, a date without a time and anything else are refused."""

    earliest_year: int
    years_ahead: int

    def bounds(self, now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
        now = now or dt.datetime.now(_ZONE).replace(tzinfo=None)
        return dt.datetime(self.earliest_year, 1, 1), dt.datetime(now.year + self.years_ahead, 12, 31, 23, 59)

    def clean(
        self,
        value: object,
        *,
        field: str,
        source: str | None = None,
        line: int | None = None,
        now: dt.datetime | None = None,
    ) -> Checked[dt.datetime]:
        moment: dt.datetime
        if isinstance(value, dt.datetime):
            moment = value
        elif isinstance(value, str):
            text = value.strip()
            if _BARE_NUMBER.fullmatch(text):
                return Checked(
                    None,
                    [self.problem(BARE_NUMBER, field=field, source=source, line=line, value=shown(text))],
                )
            try:
                if not re.match(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}", text):
                    raise ValueError(text)
                moment = dt.datetime.fromisoformat(text)
            except ValueError:
                return Checked(
                    None, [self.problem(NOT_MOMENT, field=field, source=source, line=line, value=shown(text))]
                )
        elif isinstance(value, int | float) and not isinstance(value, bool):
            return Checked(
                None, [self.problem(BARE_NUMBER, field=field, source=source, line=line, value=shown(value))]
            )
        else:
            return Checked(
                None, [self.problem(NOT_MOMENT, field=field, source=source, line=line, value=shown(value))]
            )
        try:
            moment = wall_clock(moment)
        except OverflowError:  # an aware time at the very edge of the calendar
            moment = dt.datetime.max
        earliest, latest = self.bounds(now)
        if not earliest <= moment <= latest:
            return Checked(
                None,
                [
                    self.problem(
                        NOT_BETWEEN,
                        field=field,
                        source=source,
                        line=line,
                        earliest=f"{earliest:%Y-%m-%d}",
                        latest=f"{latest:%Y-%m-%d}",
                        value=f"{moment:%Y-%m-%d %H:%M}",
                    )
                ],
            )
        return Checked(moment, [])


@dataclasses.dataclass(frozen=True)
class Day(_Kind):
    """A calendar date from ``earliest`` up to ``days_ahead`` days after today (``YYYY-MM-DD`` as text)."""

    earliest: dt.date
    days_ahead: int

    def bounds(self, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
        return self.earliest, (today or dt.date.today()) + dt.timedelta(days=self.days_ahead)

    def clean(
        self,
        value: object,
        *,
        field: str,
        source: str | None = None,
        line: int | None = None,
        today: dt.date | None = None,
    ) -> Checked[dt.date]:
        day: dt.date
        if isinstance(value, dt.datetime):
            day = value.date()
        elif isinstance(value, dt.date):
            day = value
        elif isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value.strip()):
            try:
                day = dt.date.fromisoformat(value.strip())
            except ValueError:
                return Checked(
                    None, [self.problem(NOT_DAY, field=field, source=source, line=line, value=shown(value))]
                )
        else:
            return Checked(
                None, [self.problem(NOT_DAY, field=field, source=source, line=line, value=shown(value))]
            )
        earliest, latest = self.bounds(today)
        if not earliest <= day <= latest:
            return Checked(
                None,
                [
                    self.problem(
                        NOT_BETWEEN,
                        field=field,
                        source=source,
                        line=line,
                        earliest=earliest.isoformat(),
                        latest=latest.isoformat(),
                        value=day.isoformat(),
                    )
                ],
            )
        return Checked(day, [])


Table = Mapping[str, Limit[Any]]
"""A subject's limits by field name."""


def table(**limits: Limit[Any]) -> Table:
    return MappingProxyType(limits)


# Shared by several subjects.
ID: Final = Whole(N_("Id"), 1, DB_INT_MAX)
"""Any record's id in a path, a form or a file: at least 1 and within the database's integer."""
OFFSET: Final = Whole(N_("Offset"), 0, DB_INT_MAX)
PAGE_SIZE: Final = Whole(N_("Page size"), 1, 500)
SEED: Final = Whole(N_("Seed"), 0, DB_INT_MAX)
"""Random seeds: never negative (numpy refuses), within the database's integer (seeds are recorded)."""
NAME: Final = Text(N_("Name"), 200)
TITLE: Final = Text(N_("Title"), 200)
REGION: Final = Text(N_("Region"), 100)
SEARCH: Final = Text(N_("Search"), 500)
"""What someone types in a search box ("who can help me with X")."""

MEMBER: Final = table(
    name=NAME,
    email=Email(N_("E-mail address")),
    region=REGION,
    country=Country(N_("Country")),
    birth_year=BirthYear(N_("Birth year")),
    joined_on=Day(N_("Member since"), dt.date(1950, 1, 1), 0),
    offers=Text(N_("Offers"), 4000, multiline=True),
    needs=Text(N_("Looking for"), 4000, multiline=True),
    interests=Text(N_("Interests"), 2000, multiline=True),
    street=Text(N_("Street and number"), 200),
    postal_code=Text(N_("Postal code"), 20),
    city=Text(N_("City"), 100),
    intro_frequency=Whole(N_("Introductions every so many rounds"), 1, 52),
    password=Text(N_("Password"), 1024),  # argon2 hashes anything, but a megabyte costs the server
)
INTRODUCTION: Final = table(reason=Text(N_("Why you would like to meet"), 1000, multiline=True))
"""What a member writes when asking to be introduced to someone ("introduce us")."""
GUEST: Final = table(name=Text(N_("Your name"), 100), email=Email(N_("E-mail address")))
"""What a guest gives when joining a work session by its code (the e-mail is optional)."""

CIRCLE: Final = table(
    name=NAME,
    slug=Text(N_("Short name in the address"), 80),
    region=REGION,
    description=Text(N_("Description"), 4000, multiline=True),
)
WORK_SESSION: Final = table(
    title=TITLE,
    question=Text(N_("Central question"), 1000, multiline=True),
    starts_at=Moment(N_("Start"), earliest_year=2000, years_ahead=10),
    ends_at=Moment(N_("End"), earliest_year=2000, years_ahead=10),
    place=Text(N_("Place"), 200),
    online_url=Text(N_("Online link"), 500),
    capacity=Whole(N_("Places"), 1, 100_000),
    group_size=Whole(N_("Group size"), 2, 20),
    circle_id=ID,
    summary=Text(N_("Summary"), 10_000, multiline=True),
    seed=SEED,
)
CONTRIBUTION: Final = table(
    text=Text(N_("Contribution"), 2000, multiline=True),
    group=Whole(N_("Group"), 1, 10_000),
)
THEME: Final = table(
    label=Text(N_("Theme"), 200),
    summary=Text(N_("Summary line"), 2000, multiline=True),
)
BOARD: Final = table(
    reason=Text(N_("Reason"), 500),
    themes=Whole(N_("Number of themes"), 1, 40),
    version=Whole(N_("Board version"), 0, DB_INT_MAX),
)
"""The host's synthesis board: why a card is set aside, how many themes a re-run asks for."""
INITIATIVE: Final = table(
    title=TITLE,
    description=Text(N_("Description"), 10_000, multiline=True),
    looking_for=Text(N_("Looking for"), 2000, multiline=True),
    adds_for_me=Text(N_("What it adds for me"), 1000, multiline=True),
    contributes=Text(N_("What I contribute"), 1000, multiline=True),
    update=Text(N_("Update"), 5000, multiline=True),
    progress=Whole(N_("Progress"), 0, 100),
)
HELIX_ENTRY: Final = table(
    hours=Amount(N_("Hours"), Decimal(0), Decimal(24), places=2),
    date=Day(N_("Date"), dt.date(2000, 1, 1), 1),
    note=Text(N_("Note"), 500, multiline=True),
)
API_TOKEN: Final = table(name=Text(N_("Token name"), 100))
PAGING: Final = table(id=ID, offset=OFFSET, limit=PAGE_SIZE, q=SEARCH)
DIRECTORY: Final = table(
    q=SEARCH, circle=Text(N_("Circle"), 80), region=REGION, offers=SEARCH, offset=OFFSET, limit=PAGE_SIZE
)
"""The member directory's filters (the page's search box and the API's query)."""

FILES: Final = table(
    participant_id=Text(N_("Id"), 200),
    attribute=Text(N_("Value"), 1000),
    group=Text(N_("Group"), 200),
    author=Text(N_("Author"), 200),
    tag=Text(N_("Tag"), 200),
    circle=Text(N_("Circle"), 200),
    round=Whole(N_("Round"), 0, DB_INT_MAX),
)
"""The engine commands' files (participants, contributions, member profiles): ids, labels and tags.
The texts in them follow the subject's own limits (a contribution is a :data:`CONTRIBUTION` text)."""


def check(
    limits: Table, values: Mapping[str, object], *, source: str | None = None, line: int | None = None
) -> tuple[dict[str, Any], list[Problem]]:
    """Clean every value that has a limit in ``limits``; ``None`` stays ``None`` (absent or cleared), and
    values without a limit are passed on as they are. Gives the cleaned values and every problem."""
    cleaned: dict[str, Any] = {}
    problems: list[Problem] = []
    for name, value in values.items():
        limit = limits.get(name)
        if limit is None or value is None:
            cleaned[name] = value
            continue
        result = limit.clean(value, field=name, source=source, line=line)
        cleaned[name] = result.value
        problems.extend(result.problems)
    return cleaned, problems


def require(limits: Table, values: Mapping[str, object]) -> dict[str, Any]:
    """Like :func:`check`, raising :class:`~werkkring.errors.InputError` with every problem."""
    cleaned, problems = check(limits, values)
    if problems:
        raise InputError(problems)
    return cleaned


def is_storable(text: str) -> bool:
    """Whether a text could be stored at all (no NUL, control character or lone surrogate)."""
    return not text_problems("", text, field="")
