from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from icalendar import Calendar
from pypdf import PdfReader
from typer.testing import CliRunner

from tests.helpers import run_cli
from werkkring.cli import app
from werkkring.errors import WerkkringError


@pytest.fixture
def cli(demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The real command tree, run in-process (a subprocess per call costs a second and a half)."""
    monkeypatch.setenv("WERKKRING_DATABASE_URL", demo_url)
    monkeypatch.setenv("WERKKRING_OUTBOX", str(tmp_path / "outbox"))
    return CliRunner()


def _run(cli: CliRunner, *args: str) -> tuple[int, str, str]:
    result = cli.invoke(app, list(args))
    if isinstance(result.exception, WerkkringError):
        # What `werkkring` (cli.main) turns into a message and exit status 2.
        return 2, result.stdout, str(result.exception)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_report_in_every_format(cli: CliRunner, tmp_path: Path) -> None:
    code, out, _ = _run(cli, "report", "session", "1")
    assert code == 0 and out.startswith("# ")
    code, _, _ = _run(cli, "report", "session", "1", "--out", str(tmp_path / "r.html"))
    assert code == 0 and "<svg" in (tmp_path / "r.html").read_text(encoding="utf-8")
    code, _, err = _run(cli, "report", "session", "1", "--format", "pdf", "--out", str(tmp_path / "r.pdf"))
    assert code == 0, err
    assert len(PdfReader(tmp_path / "r.pdf").pages) >= 1
    assert not list(tmp_path.glob("*.part"))


def test_mailing_and_feeds(cli: CliRunner, tmp_path: Path) -> None:
    labels, listing = tmp_path / "labels.pdf", tmp_path / "list.csv"
    code, out, err = _run(cli, "mailing", "labels", "--out", str(labels))
    assert code == 0, err
    assert "no postal consent" in out and labels.read_bytes().startswith(b"%PDF")
    code, out, err = _run(cli, "mailing", "list", "--out", str(listing))
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(listing.read_text(encoding="utf-8"))))
    assert out.startswith(f"{len(rows) - 1} addresses")
    code, out, _ = _run(cli, "feeds", "circle", "amsterdam")
    assert code == 0 and Calendar.from_ical(out.encode()).walk("VEVENT")
    code, out, _ = _run(cli, "feeds", "member", "5")
    assert code == 0 and Calendar.from_ical(out.encode())


def test_newsletter_previews_unless_told_to_send(cli: CliRunner, tmp_path: Path) -> None:
    code, out, _ = _run(cli, "newsletter", "--since", "2026-06-01")
    assert code == 0 and "/newsletter/unsubscribe/PREVIEW" in out
    assert not (tmp_path / "outbox").exists()
    code, _, _ = _run(cli, "newsletter", "--since", "2026-06-01", "--out", str(tmp_path))
    assert code == 0 and (tmp_path / "newsletter.html").exists() and (tmp_path / "newsletter.txt").exists()
    code, out, err = _run(cli, "newsletter", "--since", "2026-06-01", "--send")
    assert code == 0, err
    sent = int(out.split("sent to ")[1].split()[0])
    assert sent == len(list((tmp_path / "outbox").glob("*.eml"))) > 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("report", "session", "999"), "no work session with id 999"),
        (("report", "session", "1", "--format", "docx"), "--format must be md, html or pdf"),
        (("report", "session", "1", "--format", "pdf"), "a PDF needs --out"),
        (("report", "session", "abc"), "Invalid value"),
        (("newsletter", "--since", "1 juni"), "--since wants a date"),
        (("feeds", "circle", "atlantis"), "no circle with slug"),
        (("mailing", "labels"), "Missing option"),
    ],
)
def test_errors_exit_2_with_a_clear_message(cli: CliRunner, args: tuple[str, ...], message: str) -> None:
    code, out, err = _run(cli, *args)
    assert code == 2
    assert message in err + out


def test_the_real_command_exits_2(demo_url: str) -> None:
    result = run_cli("report", "session", "999", database_url=demo_url)
    assert result.returncode == 2 and "no work session with id 999" in result.stderr


def test_the_labels_name_who_agreed_to_post_but_has_no_street(
    cli: CliRunner, tmp_path: Path, demo_url: str
) -> None:
    from sqlalchemy import select

    from werkkring.store import Database
    from werkkring.store.models import Member

    database = Database(demo_url)
    with database.transaction() as session:
        person = session.scalars(select(Member).order_by(Member.id)).all()[10]
        person.name, person.postal_consent, person.street = "Zonder Straat", True, None
        person_id = person.id
    database.dispose()
    code, _, err = _run(cli, "mailing", "labels", "--out", str(tmp_path / "labels.pdf"))
    assert code == 0, err
    assert "agreed to post but left out for an incomplete address" in err
    assert f"Zonder Straat (member {person_id}): no street" in err
    code, _, err = _run(cli, "mailing", "list", "--out", str(tmp_path / "list.csv"))
    assert code == 0 and f"Zonder Straat (member {person_id}): no street" in err
