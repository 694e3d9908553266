"""Every action that changes something writes its audit entry: checked for all of them, by reading the code.

A runtime test per action would need a scenario per action (there are over a hundred); this test reads each
public function of ``werkkring.actions`` instead and follows its calls: a function that writes (adds,
deletes or updates a row, sets a field of a record, or enqueues a job), itself or through another action,
must also reach :func:`werkkring.actions._audit.record`, itself or through another action. A new action
without its audit entry fails here, with its name. Functions that only read or compute are not actions and
are left alone; the few writers that deliberately leave no entry are listed below with the reason."""

from __future__ import annotations

import ast
import pkgutil
from dataclasses import dataclass, field
from pathlib import Path

import werkkring.actions

PACKAGE = Path(werkkring.actions.__path__[0])
SKIP_MODULES = {"_audit", "permissions", "_announce", "__init__"}
WRITE_METHODS = {"add", "add_all", "delete", "merge", "execute", "enqueue", "enqueue_exclusive", "flush"}

# Writers that leave no audit entry on purpose, each with the reason (a test below keeps this list honest).
NO_AUDIT = {
    "accounts.member_for_api_token": (
        "stamps a token's last use (once a minute at most); an entry per API call is noise"
    ),
    "notifications.notify": (
        "a notification row is itself the record of what it tells; the action that calls notify audits "
        "the change that caused it"
    ),
}
STATEMENTS = {"update", "delete", "insert"}


@dataclass
class Function:
    name: str
    writes: bool = False
    audits: bool = False
    calls: set[str] = field(default_factory=set)


def _writing_call(method: str, call: ast.Call) -> bool:
    """``session.execute(select(...))`` reads; ``execute(update(...))``, ``add(...)`` and the rest write."""
    if method != "execute":
        return True
    return any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in STATEMENTS
        for arg in call.args
        for n in ast.walk(arg)
    )


def _module_functions(module: str) -> tuple[dict[str, Function], dict[str, str]]:
    return _functions_in(module, (PACKAGE / f"{module}.py").read_text(encoding="utf-8"))


def _functions_in(module: str, source: str) -> tuple[dict[str, Function], dict[str, str]]:
    tree = ast.parse(source)
    aliases: dict[str, str] = {}  # local name -> "module" (an actions module) or "module.function"
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                local = alias.asname or alias.name
                if node.module == "werkkring.actions":
                    aliases[local] = alias.name
                elif node.module.startswith("werkkring.actions."):
                    aliases[local] = f"{node.module.rsplit('.', 1)[1]}.{alias.name}"
    functions: dict[str, Function] = {}
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        function = Function(f"{module}.{node.name}")
        for inner in ast.walk(node):
            if isinstance(inner, ast.Call):
                target = inner.func
                if isinstance(target, ast.Name):
                    if target.id == "record" or aliases.get(target.id) == "_audit.record":
                        function.audits = True
                    function.calls.add(aliases.get(target.id, f"{module}.{target.id}"))
                elif isinstance(target, ast.Attribute):
                    if target.attr in WRITE_METHODS and _writing_call(target.attr, inner):
                        function.writes = True
                    if isinstance(target.value, ast.Name) and target.value.id in aliases:
                        function.calls.add(f"{aliases[target.value.id]}.{target.attr}")
            elif isinstance(inner, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                targets = inner.targets if isinstance(inner, ast.Assign) else [inner.target]
                if any(isinstance(t, ast.Attribute) for t in targets):
                    function.writes = True
        functions[function.name] = function
    return functions, aliases


def _all_functions() -> dict[str, Function]:
    functions: dict[str, Function] = {}
    for info in pkgutil.iter_modules(werkkring.actions.__path__):
        if info.name not in SKIP_MODULES:
            functions.update(_module_functions(info.name)[0])
    changed = True
    while changed:  # through calls: a function writes/audits when one it calls does
        changed = False
        for function in functions.values():
            for callee in function.calls:
                other = functions.get(callee)
                if other is None:
                    continue
                if other.writes and not function.writes:
                    function.writes = changed = True
                if other.audits and not function.audits:
                    function.audits = changed = True
    return functions


def _public(name: str) -> bool:
    return not name.rsplit(".", 1)[1].startswith("_")


def test_every_action_that_writes_writes_its_audit_entry() -> None:
    functions = _all_functions()
    writers = [f for f in functions.values() if _public(f.name) and f.writes]
    assert len(writers) >= 80, f"only {len(writers)} writing actions found: the reader is broken"
    missing = sorted(f.name for f in writers if not f.audits and f.name not in NO_AUDIT)
    assert not missing, f"actions that change state without an audit entry: {missing}"


def test_the_exceptions_are_real_writers_without_an_entry() -> None:
    functions = _all_functions()
    for name in NO_AUDIT:
        assert name in functions, f"{name} is listed but does not exist"
        assert functions[name].writes and not functions[name].audits, f"{name} need not be listed"


def test_the_reader_tells_writers_from_readers() -> None:
    """The check itself can fail: a made-up module's writer without an entry is seen as such."""
    source = (
        "from sqlalchemy import select, update\n"
        "from werkkring.actions._audit import record\n"
        "def reads(session):\n    return session.execute(select(X)).all()\n"
        "def adds(session, x):\n    session.add(x)\n"
        "def sets(session, m):\n    m.name = 'x'\n"
        "def bumps(session):\n    session.execute(update(X).values(n=1))\n"
        "def audited(session, x):\n    adds(session, x)\n    record(session, None, 'x.add', 'x')\n"
    )
    functions, _ = _functions_in("fake", source)
    assert not functions["fake.reads"].writes
    assert all(functions[f"fake.{name}"].writes for name in ("adds", "sets", "bumps"))
    assert functions["fake.audited"].audits and not functions["fake.adds"].audits
