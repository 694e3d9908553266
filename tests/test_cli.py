from __future__ import annotations

from pathlib import Path

from alembic.script import ScriptDirectory

from tests.helpers import run_cli
from werkkring.store.migrate import alembic_config


def test_help_lists_the_commands() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("init", "demo", "members", "db", "backup", "serve"):
        assert command in result.stdout


def test_init_and_upgrade_on_a_fresh_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert run_cli("init", database_url=url).returncode == 0
    upgraded = run_cli("db", "upgrade", database_url=url)
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    assert upgraded.returncode == 0 and f"revision {head}" in upgraded.stdout


def test_usage_errors_exit_with_status_2(tmp_path: Path) -> None:
    result = run_cli("members", "import", database_url=f"sqlite:///{tmp_path / 'x.db'}")
    assert result.returncode == 2
