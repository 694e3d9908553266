"""The words of reports, newsletters and labels in Dutch and English, and date formatting."""

from __future__ import annotations

import datetime as dt
from typing import Final

from babel.dates import format_date, format_time

LANGUAGES: Final = ("nl", "en")

_WORDS: Final[dict[str, dict[str, str]]] = {
    "nl": {
        "question": "De vraag",
        "who": "Wie er waren",
        "who_line": "{people} deelnemers in {groups} groepen",
        "who_line_ungrouped": "{people} aangemeld",
        "tenure.newcomer": "nieuwkomers (< 1 jaar)",
        "tenure.settling": "1 tot 3 jaar lid",
        "tenure.old hand": "oudgedienden (3+ jaar)",
        "tenure.not shared": "lidmaatschap niet gedeeld",
        "age.not shared": "leeftijd niet gedeeld",
        "age.suffix": " jaar",
        "region.not shared": "regio niet gedeeld",
        "abroad": "uit het buitenland",
        "abroad_line": "{count} uit het buitenland ({countries})",
        "chart.tenure": "Oudgedienden en nieuwkomers",
        "chart.age": "Leeftijden",
        "chart.region": "Waar ze vandaan kwamen",
        "chart.themes": "Thema's naar breedte: in hoeveel groepen het ter sprake kwam",
        "chart.people": "aantal deelnemers",
        "chart.groups_of": "{n} van {total} groepen",
        "chart.desc": "Staafdiagram. {items}.",
        "themes": "Wat er naar voren kwam",
        "themes_intro": "In {groups} groepen is gesproken over de vraag. Samengevat leverde dat op:",
        "no_themes": "De inbreng van deze sessie is nog niet samengevat.",
        "raised_in": "Kwam aan bod in {groups}.",
        "group": "groep",
        "groups": "groepen",
        "all_groups": "alle {n} groepen",
        "and": "en",
        "contributions": "{n} bijdragen",
        "quotes": "Uit de groepen",
        "shared": "Wat alle groepen deelden",
        "shared_none": "Geen thema kwam in alle groepen terug.",
        "actions": "Acties en wie ze dragen",
        "actions_none": "Er zijn (nog) geen acties uit deze sessie voortgekomen.",
        "carried_by": "Gedragen door {who}",
        "and_others": "{who} en {n} anderen",
        "and_one_other": "{who} en één ander",
        "a_member": "een lid",
        "the_host": "de host",
        "looking_for": "Zoekt",
        "proposals": "Voorstellen die nog een trekker zoeken",
        "hosted_by": "Gastheer of gastvrouw: {who}",
        "status.proposed": "voorgesteld",
        "status.active": "loopt",
        "status.paused": "gepauzeerd",
        "status.done": "afgerond",
        "privacy": (
            "Deelnemers worden alleen geteld, niet genoemd. Namen staan er alleen bij als iemand daar "
            "toestemming voor gaf; citaten zijn anoniem."
        ),
        "report_footer": "Verslag gemaakt met werkkring",
        "place_online": "online",
        "session_date": "{date}, {start}–{end}",
        "session_date_open": "{date}, {start}",
    },
    "en": {
        "question": "The question",
        "who": "Who took part",
        "who_line": "{people} participants in {groups} groups",
        "who_line_ungrouped": "{people} signed up",
        "tenure.newcomer": "newcomers (< 1 year)",
        "tenure.settling": "member 1 to 3 years",
        "tenure.old hand": "old hands (3+ years)",
        "tenure.not shared": "membership not shared",
        "age.not shared": "age not shared",
        "age.suffix": "",
        "region.not shared": "region not shared",
        "abroad": "from abroad",
        "abroad_line": "{count} from abroad ({countries})",
        "chart.tenure": "Old hands and newcomers",
        "chart.age": "Ages",
        "chart.region": "Where people came from",
        "chart.themes": "Themes by breadth: in how many groups each came up",
        "chart.people": "number of participants",
        "chart.groups_of": "{n} of {total} groups",
        "chart.desc": "Bar chart. {items}.",
        "themes": "What came up",
        "themes_intro": "{groups} groups discussed the question. In short, this is what they brought in:",
        "no_themes": "The input of this session has not been summarised yet.",
        "raised_in": "Came up in {groups}.",
        "group": "group",
        "groups": "groups",
        "all_groups": "all {n} groups",
        "and": "and",
        "contributions": "{n} contributions",
        "quotes": "From the groups",
        "shared": "What every group shared",
        "shared_none": "No theme came up in every group.",
        "actions": "Actions and who carries them",
        "actions_none": "No actions have come out of this session (yet).",
        "carried_by": "Carried by {who}",
        "and_others": "{who} and {n} others",
        "and_one_other": "{who} and one other",
        "a_member": "a member",
        "the_host": "the host",
        "looking_for": "Looking for",
        "proposals": "Proposals still looking for someone to carry them",
        "hosted_by": "Host: {who}",
        "status.proposed": "proposed",
        "status.active": "under way",
        "status.paused": "paused",
        "status.done": "done",
        "privacy": (
            "Participants are counted, not named. Names appear only where people agreed to it; quotes are "
            "anonymous."
        ),
        "report_footer": "Report made with werkkring",
        "place_online": "online",
        "session_date": "{date}, {start}–{end}",
        "session_date_open": "{date}, {start}",
    },
}


def words(language: str) -> dict[str, str]:
    """The word table for ``language``; anything other than nl falls back to English."""
    return _WORDS["nl" if language == "nl" else "en"]


def long_date(day: dt.date, language: str) -> str:
    return format_date(day, format="long", locale="nl_NL" if language == "nl" else "en_GB")


def short_time(moment: dt.datetime, language: str) -> str:
    return format_time(moment, format="HH:mm", locale="nl_NL" if language == "nl" else "en_GB")


def when(starts_at: dt.datetime, ends_at: dt.datetime | None, language: str) -> str:
    w = words(language)
    date = long_date(starts_at.date(), language)
    if ends_at is None:
        return w["session_date_open"].format(date=date, start=short_time(starts_at, language))
    return w["session_date"].format(
        date=date, start=short_time(starts_at, language), end=short_time(ends_at, language)
    )
