"""How the command line ends when something goes wrong: one clear line on standard error, never a traceback.

- An error werkkring raises on purpose (bad input, a missing record, a refused permission) prints its
  message — for a file, one line per problem with file, line and column — and exits with status 2.
- Anything else (the database cannot be reached, the disk is full, a bug) prints one line that says what
  happened and exits with status 1; ``werkkring --debug ...`` (or ``WERKKRING_DEBUG=1``) shows the
  traceback instead, for a bug report.
- Ctrl-C exits with status 130 and a closed pipe (``werkkring members export | head``) quietly.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, NoReturn

from typer.exceptions import Abort

from werkkring.errors import InputError, WerkkringError

try:  # Typer 0.2x carries its own copy of click; before, it used click itself
    from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
except ImportError:  # pragma: no cover
    from click.exceptions import ClickException, NoArgsIsHelpError, UsageError  # type: ignore[assignment]

MAX_PROBLEMS = 200
"""How many problems of one input are printed; the rest are counted (a broken file of 100,000 rows would
otherwise bury the first, most useful lines)."""

debug: ContextVar[bool] = ContextVar("werkkring_cli_debug", default=False)
"""Set by the root command's ``--debug``: let unexpected errors show their traceback."""


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def describe(error: BaseException) -> str:
    """What went wrong, in one line, for an error werkkring did not raise on purpose."""
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    if isinstance(error, DBAPIError):
        cause = str(error.orig).strip().splitlines()[0] if error.orig is not None else type(error).__name__
        if error.connection_invalidated or "connect" in cause.lower():
            return _one_line(f"cannot reach the database: {cause}")
        return _one_line(f"the database refused the operation: {cause}")
    if isinstance(error, SQLAlchemyError):
        return _one_line(f"database error: {error}")
    if isinstance(error, MemoryError):
        return "out of memory"
    if isinstance(error, OSError):
        where = f": {error.filename}" if error.filename else ""
        return _one_line(f"{error.strerror or type(error).__name__}{where}")
    detail = str(error).strip()
    return _one_line(f"unexpected error ({type(error).__name__}{': ' + detail if detail else ''})")


def _problems_text(error: WerkkringError) -> str:
    if isinstance(error, InputError) and len(error.problems) > MAX_PROBLEMS:
        shown = "\n".join(str(p) for p in error.problems[:MAX_PROBLEMS])
        rest = len(error.problems) - MAX_PROBLEMS
        return f"{shown}\n… and {rest} more problems ({len(error.problems)} in all)"
    return str(error)


def _debug_requested() -> bool:
    return debug.get() or os.environ.get("WERKKRING_DEBUG", "") not in ("", "0")


def run(app: Callable[..., Any], argv: list[str] | None = None) -> None:
    """Run the command line; errors end as described in the module docstring."""
    try:
        code = app(args=argv, prog_name="werkkring", standalone_mode=False)
    except NoArgsIsHelpError as error:
        print(error.ctx.get_help() if error.ctx else error.format_message())
        sys.exit(error.exit_code)
    except UsageError as error:
        hint = f" (see '{error.ctx.command_path} --help')" if error.ctx is not None else ""
        _fail(_one_line(error.format_message(), 500) + hint, error.exit_code)
    except ClickException as error:
        _fail(_one_line(error.format_message(), 500), error.exit_code)
    except Abort:
        _fail("aborted", 1)
    except WerkkringError as error:
        _fail(_problems_text(error), 2)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except BrokenPipeError:
        # The reader went away (``| head``): say nothing, and keep Python from complaining at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
    except Exception as error:
        if _debug_requested():
            raise
        _fail(f"{describe(error)} (run again with --debug to see where)", 1)
    if isinstance(code, int) and code:  # typer.Exit(code) and Ctrl-C come back as a status
        if code == 130:
            _fail("interrupted", 130)
        sys.exit(code)


def _fail(message: str, status: int) -> NoReturn:
    print(f"werkkring: {message}", file=sys.stderr, flush=True)
    sys.exit(status)
