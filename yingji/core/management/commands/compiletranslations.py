from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


def compile_catalogues(locale_dirs: list[Path]) -> list[Path]:
    """Compile every .po under the locale dirs to .mo, without GNU gettext's msgfmt."""
    written = []
    for locale_dir in locale_dirs:
        for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
            mo_path = po_path.with_suffix(".mo")
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            written.append(mo_path)
    return written


class Command(BaseCommand):
    help = "Compile the translation catalogues (.po -> .mo) with polib; no gettext tools needed."

    def handle(self, *args: Any, **options: Any) -> None:
        for path in compile_catalogues(list(settings.LOCALE_PATHS)):
            self.stdout.write(f"compiled {path}")
