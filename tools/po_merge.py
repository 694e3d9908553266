"""Git merge driver for gettext catalogs: a three-way merge per message instead of per line.

Parallel branches each add strings to the same catalogs; a line-based merge conflicts on every one of them.
Per message id: kept when both sides agree; a side's change (a new message, or a new or changed translation)
wins over the other side's unchanged copy of the base; when both changed it, ours is kept (a translator
looks at it after `make catalogs`). `make catalogs` afterwards brings the catalog in line with the code and
compiles the .mo files.

Configure once per clone:
    git config merge.po.driver "python3 tools/po_merge.py %O %A %B"
    git config merge.mo.driver true
"""

from __future__ import annotations

import sys
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po


def _read(path: str) -> Catalog:
    with open(path, "rb") as handle:
        return read_po(handle)


def _key(message: Any) -> Any:
    return (message.id, message.context)


def main(base_path: str, ours_path: str, theirs_path: str) -> int:
    base, mine, other = _read(base_path), _read(ours_path), _read(theirs_path)
    before = {_key(m): m.string for m in base if m.id}
    for message in other:
        if not message.id:
            continue
        current = mine.get(message.id, message.context)
        if current is None:
            mine[message.id if not message.context else (message.id, message.context)] = message
        elif current.string != message.string and current.string == before.get(_key(message)):
            current.string = message.string  # only theirs changed the translation
            current.flags = set(message.flags)
    with open(ours_path, "rb") as handle:
        has_header = b'msgid ""' in handle.read(4096)
    with open(ours_path, "wb") as handle:
        write_po(handle, mine, width=110, omit_header=not has_header, sort_output=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
