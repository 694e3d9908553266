from __future__ import annotations

import csv
import io
import re
from collections import Counter
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader
from sqlalchemy import select

from werkkring.outreach import INCOMPLETE, NO_CONSENT, PER_SHEET, labels_pdf, safe_cell, to_csv
from werkkring.outreach._postal import FORMULA_STARTS, PostalList
from werkkring.queries.outreach import postal_list
from werkkring.store import Database
from werkkring.store.models import Member


def _expected_reason(member: Member) -> str | None:
    if not member.postal_consent:
        return NO_CONSENT
    for value in (member.street, member.postal_code, member.city):
        if value is None or not value.strip():
            return INCOMPLETE
    return None


def test_only_consenting_complete_addresses_and_counts_by_reason(demo: Database) -> None:
    with demo.transaction() as session:
        members = session.scalars(select(Member).order_by(Member.id)).all()
        # A few awkward cases on top of the demo's own mix.
        members[5].postal_consent, members[5].street = True, "   "
        members[6].postal_consent, members[6].city = False, None
        members[7].postal_consent, members[7].postal_code = True, ""
        awkward = [members[5].id, members[6].id, members[7].id]
    with demo.reader() as session:
        members = session.scalars(select(Member)).all()
        postal = postal_list(session)
    reasons = Counter(_expected_reason(m) for m in members)
    assert postal.left_out == {NO_CONSENT: reasons[NO_CONSENT], INCOMPLETE: reasons[INCOMPLETE]}
    assert len(postal.addresses) == reasons[None]
    assert reasons[NO_CONSENT] > 0 and reasons[INCOMPLETE] > 0 and reasons[None] > 0
    on_list = {a.member_id for a in postal.addresses}
    assert on_list == {m.id for m in members if _expected_reason(m) is None}
    assert len(postal.addresses) + postal.left_out_total == len(members)
    # Those who agreed to post but whose address is incomplete are named, with what is missing.
    named = {p.member_id: p.missing for p in postal.incomplete}
    assert set(named) == {m.id for m in members if _expected_reason(m) == INCOMPLETE}
    assert "street" in named[awkward[0]] and "postal_code" in named[awkward[2]] and awkward[1] not in named


def test_csv_is_safe_against_formula_injection(demo: Database) -> None:
    with demo.transaction() as session:
        members = [
            m for m in session.scalars(select(Member).order_by(Member.id)) if _expected_reason(m) is None
        ]
        members[0].name = '=HYPERLINK("http://e.vil","klik")'
        members[1].street = "+31 Hoofdstraat 1"
        members[2].city = "@SUM(A1:A9)"
        members[3].name = "-2+3"
        members[4].street = "\t=1+1"
    with demo.reader() as session:
        text = to_csv(postal_list(session))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["name", "street", "postal_code", "city", "country"]
    cells = [cell for row in rows[1:] for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    assert '\'=HYPERLINK("http://e.vil","klik")' in cells and "'@SUM(A1:A9)" in cells
    assert "'-2+3" in cells and "'+31 Hoofdstraat 1" in cells


@given(st.text(max_size=20))
def test_safe_cell_never_starts_a_formula_and_keeps_the_text(value: str) -> None:
    cell = safe_cell(value)
    assert not cell.startswith(FORMULA_STARTS)
    assert cell == value or cell == "'" + value


def _labels_per_page(pdf: bytes, names: list[str]) -> list[int]:
    counts = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        text = page.extract_text() or ""
        counts.append(sum(1 for line in text.splitlines() if line.strip() in names))
    return counts


def test_label_sheets_hold_24_per_page(demo: Database, tmp_path: Path) -> None:
    with demo.reader() as session:
        postal = postal_list(session)
    n = len(postal.addresses)
    assert n > PER_SHEET
    # Unique names so every label can be counted by its first line.
    addresses = tuple(
        type(a)(a.member_id, f"Lid {i:04d}", a.street, a.postal_code, a.city, a.country)
        for i, a in enumerate(postal.addresses)
    )
    pdf = labels_pdf(PostalList(addresses, postal.left_out))
    counts = _labels_per_page(pdf, [a.name for a in addresses])
    full, rest = divmod(n, PER_SHEET)
    assert counts == [PER_SHEET] * full + ([rest] if rest else [])
    reader = PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert round(float(box.width) / 72 * 25.4) == 210 and round(float(box.height) / 72 * 25.4) == 297


def test_labels_are_placed_on_a_3_by_8_grid() -> None:
    from werkkring.outreach._postal import Address, labels_html

    addresses = [Address(i, f"N{i}", "Straat 1", "1234 AB", "Plaats", "NL") for i in range(PER_SHEET + 1)]
    html = labels_html(addresses)
    lefts = [float(x) for x in re.findall(r"left:([\d.]+)mm", html)]
    tops = [float(x) for x in re.findall(r"top:([\d.]+)mm", html)]
    assert sorted(set(lefts)) == [0.0, 70.0, 140.0]
    assert len(set(tops)) == 8 and max(tops) + 297 / 8 <= 297.001
    assert html.count('class="sheet"') == 2


def test_an_address_abroad_names_the_country() -> None:
    from werkkring.outreach._postal import Address

    assert Address(1, "A", "Rue 1", "8001", "Zürich", "CH").lines()[-1] == "ZWITSERLAND"
    assert Address(1, "A", "Straat 1", "1234 AB", "Zwolle", "NL").lines()[-1] == "1234 AB  ZWOLLE"
