"""Fill a PO catalog's empty entries from a Python dict {English: translation} (a translator's tool).

    python tools/fill_catalog.py lib/lstmlab/locale/zh/tooling.po translations.py [--overwrite]

translations.py defines T = {msgid: msgstr}. Entries not in T are left as they are; fuzzy flags are
cleared only where T gives the translation. Written back with the same layout `lstmlab translate` uses.
"""
from __future__ import annotations

import runpy
import sys
from pathlib import Path

from lstmlab.tooling.translations import BABEL_LOCALE, read_catalog, render_catalog


def main(argv: list[str]) -> int:
    po, table_file = Path(argv[0]), Path(argv[1])
    overwrite = "--overwrite" in argv
    lang = po.parent.name
    table = runpy.run_path(str(table_file))["T"]
    catalog = read_catalog(po, lang)
    filled = 0
    for m in catalog:
        if m.id and m.id in table and (overwrite or not m.string or m.fuzzy):
            m.string = table[m.id]
            m.flags.discard("fuzzy")
            m.previous_id = []
            filled += 1
    po.write_bytes(render_catalog(catalog))
    print(f"{po}: {filled} entries filled; locale {BABEL_LOCALE.get(lang, lang)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
