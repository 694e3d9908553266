"""Git merge driver for gettext catalogs: the union of both sides' messages.

Parallel branches each add strings to the same catalogs; a line-based merge conflicts on every one of them.
This driver keeps every message of ours and adds the messages only theirs has (ours wins where both translate
the same id), so a merge never loses a translation. `make catalogs` afterwards brings the catalog back in
line with the code and compiles the .mo files.

Configure once per clone:
    git config merge.po.driver "python3 tools/po_merge.py %O %A %B"
    git config merge.mo.driver true
"""

from __future__ import annotations

import sys

from babel.messages.pofile import read_po, write_po


def main(base: str, ours: str, theirs: str) -> int:
    with open(ours, "rb") as handle:
        mine = read_po(handle)
    with open(theirs, "rb") as handle:
        other = read_po(handle)
    for message in other:
        if not message.id:
            continue
        key = (message.id, message.context) if message.context else message.id
        if mine.get(message.id, message.context) is None:
            mine[key] = message
    with open(ours, "rb") as handle:
        has_header = b'msgid ""' in handle.read(4096)
    with open(ours, "wb") as handle:
        write_po(handle, mine, width=110, omit_header=not has_header, sort_output=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
