"""The host's write-up: themes as bullets, the undercurrent, a few quotes, in the input's language."""

from __future__ import annotations

from werkkring.engines.synthesis._types import Synthesis, Theme

_SHOWN = 12
_PER_FAMILY = 4

_WORDS = {
    "nl": {
        "title": "Thema's uit de bijdragen",
        "intro": "In het kort leverde dit de volgende input op:",
        "all": "Wat in alle groepen leefde",
        "most": "Wat in de meeste groepen leefde",
        "largest": "Wat het meest leefde",
        "contributions": "bijdragen",
        "contribution": "bijdrage",
        "groups": "groepen",
        "group": "groep",
        "quotes": "Uit de bijdragen",
        "more": "en nog {n} kleinere thema's ({m} bijdragen)",
        "families": "De {n} thema's komen samen in {m} hoofdthema's:",
        "themes": "{n} thema's",
        "theme": "1 thema",
        "more_short": "en nog {n} thema's",
        "one_more": "en nog 1 thema",
        "skipped": "{n} lege bijdragen overgeslagen.",
        "outliers": "{n} bijdragen pasten bij geen thema.",
        "off_topic": "{n} bijdragen zijn apart gezet omdat ze geen antwoord op de vraag lijken.",
        "none": "Er waren geen bijdragen om samen te vatten.",
    },
    "en": {
        "title": "Themes from the contributions",
        "intro": "In short, this was the input:",
        "all": "What was felt in all groups",
        "most": "What was felt in most groups",
        "largest": "What was felt most",
        "contributions": "contributions",
        "contribution": "contribution",
        "groups": "groups",
        "group": "group",
        "quotes": "In their own words",
        "more": "and {n} smaller themes ({m} contributions)",
        "families": "The {n} themes come together in {m} main themes:",
        "themes": "{n} themes",
        "theme": "1 theme",
        "more_short": "and {n} more themes",
        "one_more": "and 1 more theme",
        "skipped": "{n} empty contributions skipped.",
        "outliers": "{n} contributions fitted no theme.",
        "off_topic": "{n} contributions were set aside as they do not seem to answer the question.",
        "none": "There were no contributions to summarise.",
    },
}


def to_markdown(synthesis: Synthesis) -> str:
    """Markdown a host can paste into a blog post: Dutch for Dutch (or mixed) input, English for English."""
    w = _WORDS["en" if synthesis.language == "en" else "nl"]
    lines = [f"## {w['title']}", ""]
    if not synthesis.themes:
        lines.append(w["none"])
    else:
        lines += [w["intro"], ""]
        if synthesis.overview:
            lines += _overview(synthesis, w)
        else:
            for theme in synthesis.themes[:_SHOWN]:
                lines.append(
                    f"- **{theme.label}**: {_sentence(_upper_first(theme.summary))} ({_count(theme, w)})"
                )
            rest = synthesis.themes[_SHOWN:]
            if rest:
                lines.append("- " + w["more"].format(n=len(rest), m=sum(t.size for t in rest)))
        lines.append("")
        if synthesis.undercurrent is not None:
            lines += [_undercurrent(synthesis, w), ""]
        quoted = [t for t in synthesis.themes[: min(_SHOWN, 5)] if t.quotes]
        if quoted:
            lines += [f"### {w['quotes']}", ""]
            for theme in quoted:
                lines.append(f"**{theme.label}**")
                lines.append("")
                lines += [f"- “{' '.join(quote.split())}”" for quote in theme.quotes[:3]]
                lines.append("")
    notes = []
    if synthesis.skipped:
        notes.append(w["skipped"].format(n=synthesis.skipped))
    off_topic = sum(item.reason == "off_topic" for item in synthesis.set_aside)
    if off_topic:
        notes.append(w["off_topic"].format(n=off_topic))
    if synthesis.outliers - off_topic:
        notes.append(w["outliers"].format(n=synthesis.outliers - off_topic))
    if notes:
        lines += ["_" + " ".join(notes) + "_", ""]
    return "\n".join(lines).rstrip() + "\n"


def _overview(synthesis: Synthesis, w: dict[str, str]) -> list[str]:
    """One bullet per family of themes, with its largest themes under it."""
    by_id = {t.id: t for t in synthesis.themes}
    lines = [w["families"].format(n=len(synthesis.themes), m=len(synthesis.overview)), ""]
    for family in synthesis.overview:
        count = f"{family.size} {w['contributions']}, " + (
            w["theme"] if len(family.themes) == 1 else w["themes"].format(n=len(family.themes))
        )
        lines.append(f"- **{family.label}**: {_sentence(_upper_first(family.summary))} ({count})")
        for theme_id in family.themes[:_PER_FAMILY]:
            theme = by_id[theme_id]
            lines.append(f"  - {theme.label} ({theme.size})")
        hidden = len(family.themes) - _PER_FAMILY
        if hidden > 0:
            lines.append("  - " + (w["one_more"] if hidden == 1 else w["more_short"].format(n=hidden)))
    return lines


def _undercurrent(synthesis: Synthesis, w: dict[str, str]) -> str:
    theme = next(t for t in synthesis.themes if t.id == synthesis.undercurrent)
    all_groups = {g for t in synthesis.themes for g in t.groups}
    if len(all_groups) >= 2 and len(theme.groups) == len(all_groups):
        lead = w["all"]
    elif len(all_groups) >= 2:
        lead = w["most"]
    else:
        lead = w["largest"]
    return f"{lead}: **{theme.label}**, {_sentence(_lower_first(theme.summary))}"


def _count(theme: Theme, w: dict[str, str]) -> str:
    text = f"{theme.size} {w['contribution'] if theme.size == 1 else w['contributions']}"
    if theme.groups:
        text += f", {len(theme.groups)} {w['group'] if len(theme.groups) == 1 else w['groups']}"
    return text


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text[-1:] in ".!?…" else text + "."


def _upper_first(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    text = text.strip()
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text
