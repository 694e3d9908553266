from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from babel.messages.extract import extract, extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.web import factories
from werkkring import i18n
from werkkring.store import Database

PACKAGE = Path(i18n.__file__).parent
WEB = PACKAGE / "web"
# Error messages of the actions and queries are shown on the pages, translated; outreach writes reports,
# newsletters and feeds from the same catalogs; the grouping engine says why a late arrival has no seat.
FOLDERS = (
    WEB,
    PACKAGE / "actions",
    PACKAGE / "queries",
    PACKAGE / "outreach",
    PACKAGE / "engines" / "grouping",
)
LIMITS = PACKAGE / "limits.py"  # the input limits' messages and field names, shown on the pages too
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "translate": (2,)}
# Words that are the same in every language (names, formats).
ALLOWED_LITERALS = {"werkkring", "API", "HTML", "Markdown", "PDF", "Helix"}


def _code_messages() -> set[str]:
    method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    found = set()
    for folder in FOLDERS:
        for _file, _line, message, _comments, _context in extract_from_dir(
            folder, method_map, options_map=options, keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    with LIMITS.open("rb") as handle:
        for _line, message, _comments, _context in extract("python", handle, keywords=KEYWORDS):
            found.add(message if isinstance(message, str) else message[0])
    return found


def _key(value: Any) -> Any:
    return value if isinstance(value, str) else tuple(value)


def test_every_string_of_the_interface_has_a_dutch_translation_and_the_mo_files_are_current() -> None:
    wanted = _code_messages()
    assert len(wanted) > 200
    for locale in i18n.LOCALES:
        folder = i18n.LOCALE_DIR / locale / "LC_MESSAGES"
        with (folder / "messages.po").open("rb") as handle:
            po = read_po(handle)
        ids = {m.id if isinstance(m.id, str) else m.id[0] for m in po if m.id}
        assert wanted <= ids, f"run `make catalogs`; missing in {locale}: {sorted(wanted - ids)[:5]}"
        with (folder / "messages.mo").open("rb") as handle:
            mo = read_mo(handle)
        compiled = {_key(m.id): _key(m.string) for m in mo if m.id}
        for message in po:
            translated = all(message.string) if isinstance(message.string, tuple | list) else message.string
            if message.id and translated and "fuzzy" not in message.flags:
                expected = _key(message.string)
                assert compiled.get(_key(message.id)) == expected, f"run `make catalogs` ({locale})"
        if locale == "nl":
            untranslated = [
                m.id for m in po if m.id and not (m.string if isinstance(m.string, str) else all(m.string))
            ]
            assert untranslated == []
            # A fuzzy entry is pybabel's guess from a similar message: never compiled, so the page shows
            # English; and its guess is often wrong ("%(num)s lid" for "%(n)s members").
            assert [m.id for m in po if m.id and m.fuzzy] == []


def test_templates_hold_no_hard_coded_text() -> None:
    offenders = []
    for path in sorted(
        [*(WEB / "templates").glob("*.html"), *(PACKAGE / "outreach/templates").glob("*.html")]
    ):
        source = path.read_text()
        source = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", source, flags=re.S)
        source = re.sub(r"<(script|style)\b.*?</\1>", " ", source, flags=re.S)
        source = re.sub(r"<[^>]*>", " ", source)
        for word in re.findall(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'’-]+", source):
            if word not in ALLOWED_LITERALS:
                offenders.append(f"{path.name}: {word}")
    assert offenders == []


def test_pages_are_dutch_by_default_and_english_by_choice(sqlite_database: Database, app_for: Any) -> None:
    with sqlite_database.transaction() as session:
        factories.member(session, "Eva Engels")
    browser = app_for(sqlite_database)()
    page = browser.get("/signin").text
    assert 'lang="nl"' in page and "Wachtwoord" in page
    browser.post("/language", {"language": "en", "next": "/signin"})
    page = browser.get("/signin").text
    assert 'lang="en"' in page and "Password" in page and "Wachtwoord" not in page
    browser.sign_in("eva.engels@example.org")
    # Signing in takes the member's own language; choosing English stores it on the profile.
    assert "Leden" in browser.get("/members").text
    browser.post("/language", {"language": "en", "next": "/members"})
    assert "Members" in browser.get("/members").text
    other = app_for(sqlite_database)()
    other.sign_in("eva.engels@example.org")
    assert "Members" in other.get("/members").text


def test_dates_and_numbers_follow_the_locale() -> None:
    moment = dt.datetime(2026, 12, 3, 19, 30)
    token = i18n.current_locale.set("nl")
    try:
        assert "december" in i18n.format_datetime(moment, "long")
        assert i18n.format_number(12345.5, 1) == "12.345,5"
    finally:
        i18n.current_locale.reset(token)
    token = i18n.current_locale.set("en")
    try:
        assert "December" in i18n.format_datetime(moment, "long")
        assert i18n.format_number(12345.5, 1) == "12,345.5"
    finally:
        i18n.current_locale.reset(token)
