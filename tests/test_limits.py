"""The input limits: what each kind refuses and why, that they fit both databases, and that their messages
name the field in the reader's language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Integer, String, select

from werkkring import i18n, limits
from werkkring.errors import InputError
from werkkring.limits import (
    CIRCLE,
    CONTRIBUTION,
    DB_INT_MAX,
    HELIX_ENTRY,
    INITIATIVE,
    MEMBER,
    THEME,
    WORK_SESSION,
)
from werkkring.store import Database
from werkkring.store.models import (
    ApiToken,
    Base,
    Circle,
    Contribution,
    HelixEntry,
    Initiative,
    InitiativeParticipant,
    Member,
    Theme,
    WorkSession,
)

TODAY = dt.date(2026, 6, 1)
NOW = dt.datetime(2026, 6, 1, 12, 0)


def messages(result: limits.Checked[Any]) -> list[str]:
    return [p.message for p in result.problems]


def test_text_refuses_nul_surrogates_controls_line_breaks_and_length_naming_the_field() -> None:
    name = MEMBER["name"]
    assert name.clean("  Anna de Vries ", field="name") == ("Anna de Vries", [])
    cases = {
        "D\x00an": "Name contains the invisible control character U+0000 at position 2; remove it",
        "D\ud800an": "Name contains a broken character (a lone UTF-16 surrogate) at position 2",
        "Bel\x07": "Name contains the invisible control character U+0007 at position 4; remove it",
        "Anna\nBob": "Name must be one line, without line breaks",
        "x" * 10_000_000: "Name can be at most 200 characters long (this one has 10,000,000)",
    }
    for value, message in cases.items():
        result = name.clean(value, field="name")
        assert result.value is None
        assert messages(result) == [message]
        assert all(p.field == "name" for p in result.problems)
    assert messages(name.clean(12, field="name")) == ["Name must be text"]
    # Line breaks and tabs are fine where text runs over several lines.
    offers = MEMBER["offers"]
    assert offers.clean("coaching\r\n\tboekhouden", field="offers").value == "coaching\r\n\tboekhouden"
    # A length is counted in characters, as PostgreSQL's VARCHAR does, not in bytes.
    assert name.clean("🙂" * 200, field="name").problems == []


def test_whole_numbers_take_plain_digits_in_range_only() -> None:
    year = MEMBER["birth_year"]
    assert year.clean(" 1984 ", field="birth_year", today=TODAY).value == 1984  # type: ignore[call-arg]
    for value in ("²³", "1_984", "١٩٨٤", "1e3", "19.5", "", True, 1984.0, None):
        result = year.clean(value, field="birth_year")
        assert result.value is None and "must be a whole number" in messages(result)[0], value
    for value in (1899, 2013, 3000, "99999999999", 10**100):
        result = year.clean(value, field="birth_year", today=TODAY)  # type: ignore[call-arg]
        assert messages(result)[0].startswith("Birth year must be between 1900 and 2012, not"), value
    # Ids, offsets and capacities stay inside PostgreSQL's INTEGER, so no database ever overflows.
    for limit in (limits.ID, limits.OFFSET, WORK_SESSION["capacity"], limits.SEED):
        assert limit.clean(DB_INT_MAX + 1, field="x").value is None
    assert limits.SEED.clean(-1, field="seed").value is None
    assert limits.ID.clean(0, field="id").value is None
    # A number too long to print is still refused with a message, in every kind that takes numbers.
    huge = 10**5000
    for limit in (limits.ID, HELIX_ENTRY["hours"], WORK_SESSION["starts_at"], MEMBER["name"]):
        assert limit.clean(huge, field="x").problems[0].message


def test_countries_are_iso_3166_alpha_2_with_a_hint_for_near_misses() -> None:
    country = MEMBER["country"]
    assert country.clean("nl", field="country").value == "NL"
    assert country.clean("CH", field="country").value == "CH"
    assert len(limits.iso_countries()) == 249
    assert messages(country.clean("UK", field="country")) == [
        "Country: 'UK' is not an ISO 3166 country code; did you mean GB?"
    ]
    assert "did you mean NL?" in messages(country.clean("NLD", field="country"))[0]
    # CLDR knows these, ISO 3166 does not: none is a country a member lives in.
    for code in ("XX", "EU", "ZZ", "XA", "N1", "🇳🇱", ""):
        assert country.clean(code, field="country").value is None, code


def test_moments_refuse_bare_numbers_and_implausible_years_and_convert_zones() -> None:
    starts = WORK_SESSION["starts_at"]

    def clean(value: object) -> limits.Checked[dt.datetime]:
        return starts.clean(value, field="starts_at", now=NOW)  # type: ignore[call-arg]

    assert clean("2026-09-14T19:30").value == dt.datetime(2026, 9, 14, 19, 30)
    assert clean("2026-09-14 19:30").value == dt.datetime(2026, 9, 14, 19, 30)
    # Aware times become wall-clock time in Amsterdam: 17:30 UTC in summer is 19:30, in winter 18:30.
    assert clean("2026-09-14T17:30Z").value == dt.datetime(2026, 9, 14, 19, 30)
    assert clean(dt.datetime(2026, 12, 14, 17, 30, tzinfo=dt.UTC)).value == dt.datetime(2026, 12, 14, 18, 30)
    assert clean(dt.datetime(2026, 12, 14, 19, 30, tzinfo=ZoneInfo("Europe/Amsterdam"))).value == (
        dt.datetime(2026, 12, 14, 19, 30)
    )
    for bare in (1_760_000_000, "1760000000", 1.7e9, "20260914"):
        assert "a bare number" in messages(clean(bare))[0], bare
    for far in ("1900-01-01T19:30", "9999-12-31T19:30", dt.datetime(2037, 1, 1)):
        assert messages(clean(far))[0].startswith("Start must lie between 2000-01-01 and 2036-12-31"), far
    for wrong in ("2026-09-14", "19:30", "next tuesday", "2026-02-30T19:30", None, [2026]):
        assert clean(wrong).value is None, wrong


def test_days_and_amounts() -> None:
    joined = MEMBER["joined_on"]
    assert joined.clean("2020-02-29", field="joined_on").value == dt.date(2020, 2, 29)
    assert joined.clean("2020-02-30", field="joined_on").value is None
    future = joined.clean(TODAY + dt.timedelta(days=1), field="joined_on", today=TODAY)  # type: ignore[call-arg]
    assert messages(future) == ["Member since must lie between 1950-01-01 and 2026-06-01, not 2026-06-02"]
    hours = HELIX_ENTRY["hours"]
    assert hours.clean("2,5", field="hours").value == Decimal("2.50")
    assert hours.clean(Decimal("24"), field="hours").value == Decimal("24.00")
    for wrong in ("NaN", float("nan"), float("inf"), "1e3", "0", 0, "24.01", "-1", "1.234", True, "²"):
        assert hours.clean(wrong, field="hours").value is None, wrong


def test_check_and_require_clean_every_field_and_collect_every_problem() -> None:
    cleaned, problems = limits.check(
        MEMBER, {"name": " Anna ", "country": "be", "birth_year": "3000", "email": None, "role": "host"}
    )
    assert cleaned == {"name": "Anna", "country": "BE", "birth_year": None, "email": None, "role": "host"}
    assert [p.field for p in problems] == ["birth_year"]
    with pytest.raises(InputError) as caught:
        limits.require(WORK_SESSION, {"title": "x" * 201, "capacity": 2**40, "seed": -1})
    assert [p.field for p in caught.value.problems] == ["title", "capacity", "seed"]


def test_a_message_is_shown_in_dutch_with_the_field_name_translated() -> None:
    problem = MEMBER["name"].clean("x" * 300, field="name").problems[0]
    dutch = i18n.translations("nl").gettext
    assert problem.render(dutch) == "Naam mag hoogstens 200 tekens lang zijn (dit zijn er 300)."
    assert problem.render() == "Name can be at most 200 characters long (this one has 300)"
    year = MEMBER["birth_year"].clean("²³", field="birth_year").problems[0]
    assert year.render(dutch) == "Geboortejaar moet een heel getal zijn, niet '²³'."


def test_a_wrong_value_is_repeated_short_and_printable() -> None:
    problem = MEMBER["email"].clean("a" * 10_000 + "@", field="email").problems[0]
    assert len(problem.message) < 200
    surrogate = limits.shown("x\ud800y")
    surrogate.encode("utf-8")  # printable on any terminal, no UnicodeEncodeError


# Which model each table describes, so a limit can never exceed what a column holds.
MODELS: dict[str, tuple[Any, ...]] = {
    "MEMBER": (Member,),
    "CIRCLE": (Circle,),
    "WORK_SESSION": (WorkSession,),
    "CONTRIBUTION": (Contribution,),
    "THEME": (Theme,),
    "INITIATIVE": (Initiative, InitiativeParticipant),
    "HELIX_ENTRY": (HelixEntry,),
    "API_TOKEN": (ApiToken,),
}


def test_every_limit_fits_its_column_on_both_databases() -> None:
    checked = 0
    for table_name, models in MODELS.items():
        table = getattr(limits, table_name)
        for field, limit in table.items():
            for model in models:
                column = model.__table__.columns.get(field)
                if column is None:
                    continue
                checked += 1
                if isinstance(column.type, String) and column.type.length is not None:
                    longest = 2 if isinstance(limit, limits.Country) else getattr(limit, "max_length", None)
                    assert longest is not None, (table_name, field)
                    assert longest <= column.type.length, (table_name, field)
                if isinstance(column.type, Integer):
                    assert isinstance(limit, limits.Whole), (table_name, field)
                    assert limit.bounds(TODAY)[1] <= DB_INT_MAX, (table_name, field)
    assert checked >= 30
    assert {t.name for t in Base.metadata.sorted_tables} >= {
        m.__tablename__ for ms in MODELS.values() for m in ms
    }


def test_values_at_the_limits_are_stored_the_same_on_sqlite_and_postgresql(database: Database) -> None:
    """The longest name and title in four-byte characters, the largest capacity and the edges of the
    plausible years all go in and come back unchanged on both databases; the largest id is simply absent."""
    wide = "🙂"
    year_low, year_high = MEMBER["birth_year"].bounds()  # type: ignore[attr-defined]
    earliest, latest = WORK_SESSION["starts_at"].bounds()  # type: ignore[attr-defined]
    text_fields = {
        name: wide * limit.max_length
        for name, limit in MEMBER.items()
        if isinstance(limit, limits.Text) and name not in ("email", "password")
    }
    with database.transaction() as session:
        low = Member(email="low@example.org", birth_year=year_low, country="NL", **text_fields)
        high = Member(email="high@example.org", birth_year=year_high, country="CH", name="H")
        session.add_all([low, high])
        session.flush()
        work_session = WorkSession(
            title=wide * limits.TITLE.max_length,
            question=wide * WORK_SESSION["question"].max_length,  # type: ignore[attr-defined]
            starts_at=earliest,
            ends_at=latest,
            capacity=WORK_SESSION["capacity"].bounds()[1],  # type: ignore[attr-defined]
            group_size=20,
            host_id=low.id,
        )
        session.add(work_session)
        session.flush()
        text = wide * CONTRIBUTION["text"].max_length  # type: ignore[attr-defined]
        session.add(Contribution(session_id=work_session.id, text=text))
    with database.reader() as session:
        stored = session.scalars(select(Member).order_by(Member.id)).all()
        assert [m.birth_year for m in stored] == [year_low, year_high]
        assert {name: getattr(stored[0], name) for name in text_fields} == text_fields
        work_session = session.scalars(select(WorkSession)).one()
        assert (work_session.starts_at, work_session.ends_at) == (earliest, latest)
        assert work_session.capacity == 100_000
        assert session.get(Member, DB_INT_MAX) is None
        assert session.get(WorkSession, DB_INT_MAX) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_either_refused_or_storable_within_its_length(value: str) -> None:
    for table in (MEMBER, CIRCLE, WORK_SESSION, INITIATIVE, THEME):
        for field, limit in table.items():
            if not isinstance(limit, limits.Text):
                continue
            result = limit.clean(value, field=field)
            if result.problems:
                assert result.value is None and all(p.field == field for p in result.problems)
                continue
            assert result.value is not None and len(result.value) <= limit.max_length
            assert limits.is_storable(result.value)
            result.value.encode("utf-8")


anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.datetimes(timezones=st.one_of(st.none(), st.timezones())),
    st.dates(),
    st.lists(st.integers(), max_size=2),
)


@settings(max_examples=400, deadline=None)
@given(anything)
def test_any_value_in_any_field_gives_a_clean_value_or_problems_never_an_exception(value: object) -> None:
    for table in (MEMBER, CIRCLE, WORK_SESSION, CONTRIBUTION, THEME, INITIATIVE, HELIX_ENTRY, limits.PAGING):
        for field, limit in table.items():
            result = limit.clean(value, field=field)
            assert (result.value is None) == bool(result.problems), (field, value)
            for problem in result.problems:
                assert problem.field == field
                problem.message.encode("utf-8")
            if isinstance(result.value, dt.datetime):
                assert result.value.tzinfo is None
                assert 2000 <= result.value.year <= dt.date.today().year + 10
