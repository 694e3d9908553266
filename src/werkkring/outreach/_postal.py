"""The postal list for a mailing (a gift, a printed invitation): only members who agreed to receive post,
only complete addresses. Everyone left out is counted by reason, so the sender knows how many did not get one.

Written as CSV (cells that a spreadsheet would run as a formula are neutralised) and as a PDF of A4 label
sheets, 3 columns by 8 rows of 70 × 37.125 mm labels with no gaps, the common "24 per sheet" stock."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Final

from werkkring.domain import country_name
from werkkring.io.cells import FORMULA_STARTS as FORMULA_STARTS
from werkkring.io.cells import safe_cell as safe_cell
from werkkring.outreach._pdf import html_to_pdf
from werkkring.store.models import Member

HOME_COUNTRY: Final = "NL"
COLUMNS: Final = 3
ROWS: Final = 8
PER_SHEET: Final = COLUMNS * ROWS
LABEL_WIDTH_MM: Final = 70.0
LABEL_HEIGHT_MM: Final = 297.0 / ROWS
NO_CONSENT: Final = "no postal consent"
INCOMPLETE: Final = "incomplete address"
REASONS: Final = (NO_CONSENT, INCOMPLETE)
CSV_HEADER: Final = ("name", "street", "postal_code", "city", "country")
ADDRESS_FIELDS: Final = ("street", "postal_code", "city", "country")


@dataclass(frozen=True)
class Address:
    member_id: int
    name: str
    street: str
    postal_code: str
    city: str
    country: str

    def lines(self) -> list[str]:
        """As it goes on an envelope posted in the Netherlands: city in capitals, and the country in capitals
        on the last line for addresses abroad."""
        lines = [self.name, self.street, f"{self.postal_code}  {self.city.upper()}"]
        if self.country != HOME_COUNTRY:
            lines.append(country_name(self.country, "nl").upper())
        return lines


@dataclass(frozen=True)
class Incomplete:
    """A member who agreed to post but whose address misses ``missing`` (street, postal_code, city, country):
    named to the sender, so they can ask for it instead of the member silently getting nothing."""

    member_id: int
    name: str
    missing: tuple[str, ...]


@dataclass(frozen=True)
class PostalList:
    addresses: tuple[Address, ...]
    left_out: dict[str, int] = field(default_factory=dict)
    incomplete: tuple[Incomplete, ...] = ()

    @property
    def left_out_total(self) -> int:
        return sum(self.left_out.values())

    def summary(self) -> str:
        reasons = ", ".join(f"{self.left_out.get(r, 0)} {r}" for r in REASONS)
        return f"{len(self.addresses)} addresses; left out: {reasons}"

    def incomplete_lines(self) -> list[str]:
        """One line per member with postal consent and an incomplete address: who, and what is missing."""
        lines = []
        for person in self.incomplete:
            missing = ", ".join(name.replace("_", " ") for name in person.missing)
            lines.append(f"{person.name} (member {person.member_id}): no {missing}")
        return lines


def _clean(value: str | None) -> str:
    return " ".join((value or "").split())


def why_left_out(member: Member) -> str | None:
    """The reason a member is not on the list, or None when they are on it. Consent is checked first."""
    if not member.postal_consent:
        return NO_CONSENT
    if not all(_clean(getattr(member, name)) for name in ADDRESS_FIELDS):
        return INCOMPLETE
    return None


def postal_list_of(members: Iterable[Member]) -> PostalList:
    """Every member who agreed to post and has a complete address, sorted by country and postal code (the
    order a post office sorts in), with the rest counted by reason."""
    addresses = []
    left_out = dict.fromkeys(REASONS, 0)
    incomplete = []
    for member in members:
        reason = why_left_out(member)
        if reason is not None:
            left_out[reason] += 1
            if reason == INCOMPLETE:
                missing = tuple(name for name in ADDRESS_FIELDS if not _clean(getattr(member, name, None)))
                incomplete.append(Incomplete(member.id, _clean(member.name), missing))
            continue
        addresses.append(
            Address(
                member_id=member.id,
                name=_clean(member.name),
                street=_clean(member.street),
                postal_code=_clean(member.postal_code).upper(),
                city=_clean(member.city),
                country=member.country.upper(),
            )
        )
    addresses.sort(key=lambda a: (a.country != HOME_COUNTRY, a.country, a.postal_code, a.name, a.member_id))
    incomplete.sort(key=lambda p: (p.name.casefold(), p.member_id))
    return PostalList(tuple(addresses), left_out, tuple(incomplete))


def to_csv(postal: PostalList) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for a in postal.addresses:
        row = (a.name, a.street, a.postal_code, a.city, country_name(a.country, "nl"))
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


def labels_html(addresses: Sequence[Address], *, outlines: bool = False) -> str:
    """One absolutely placed box per label, 24 to a page; ``outlines`` draws the label edges for a test print
    on plain paper."""
    pages = []
    for start in range(0, len(addresses), PER_SHEET) or [0]:
        boxes = []
        for index, address in enumerate(addresses[start : start + PER_SHEET]):
            row, column = divmod(index, COLUMNS)
            lines = "".join(f'<div class="line">{escape(line)}</div>' for line in address.lines())
            boxes.append(
                f'<div class="label" style="left:{column * LABEL_WIDTH_MM:.3f}mm;'
                f'top:{row * LABEL_HEIGHT_MM:.3f}mm">{lines}</div>'
            )
        pages.append(f'<section class="sheet">{"".join(boxes)}</section>')
    border = "0.2mm dashed #999" if outlines else "none"
    return f"""<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Etiketten</title>
<style>
  @page {{ size: A4; margin: 0; }}
  body {{ margin: 0; font-family: "Liberation Sans", "DejaVu Sans", Arial, sans-serif; font-size: 10pt; }}
  .sheet {{ position: relative; width: 210mm; height: 297mm; page-break-after: always; overflow: hidden; }}
  .sheet:last-child {{ page-break-after: auto; }}
  .label {{ position: absolute; box-sizing: border-box; width: {LABEL_WIDTH_MM}mm;
            height: {LABEL_HEIGHT_MM:.3f}mm; padding: 7mm 6mm 4mm 8mm; overflow: hidden;
            border: {border}; line-height: 1.25; }}
  .line {{ white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }}
  .line:first-child {{ font-weight: bold; }}
</style></head><body>{"".join(pages)}</body></html>"""


def labels_pdf(postal: PostalList, *, outlines: bool = False) -> bytes:
    return html_to_pdf(labels_html(postal.addresses, outlines=outlines))
