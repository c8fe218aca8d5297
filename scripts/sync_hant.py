"""Fill untranslated zh-Hant entries from zh-Hans with OpenCC (Taiwan phrasing), then review.

.venv/bin/python scripts/sync_hant.py && make messages
"""

from __future__ import annotations

from pathlib import Path

import polib
from opencc import OpenCC

LOCALE = Path(__file__).resolve().parent.parent / "yingji" / "locale"


def main() -> None:
    convert = OpenCC("s2twp").convert
    hans = {e.msgid: e for e in polib.pofile(str(LOCALE / "zh_Hans/LC_MESSAGES/django.po"))}
    hant_path = LOCALE / "zh_Hant/LC_MESSAGES/django.po"
    hant = polib.pofile(str(hant_path))
    filled = 0
    for entry in hant:
        source = hans.get(entry.msgid)
        if source is None or entry.translated():
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = {k: convert(v) for k, v in source.msgstr_plural.items()}
        else:
            entry.msgstr = convert(source.msgstr)
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        filled += 1
    hant.save(str(hant_path))
    print(f"filled {filled} zh-Hant entries; review them before committing")


if __name__ == "__main__":
    main()
