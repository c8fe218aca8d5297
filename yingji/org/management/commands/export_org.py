from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from yingji.core.actors import SystemActor
from yingji.org.transfer import export_csv, export_workbook


class Command(BaseCommand):
    help = "Export the organisation as an .xlsx workbook, or one sheet as .csv."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a path ending in .xlsx or .csv")
        parser.add_argument("--kind", choices=["departments", "people", "memberships"])

    def handle(self, *args: Any, **options: Any) -> None:
        admin = SystemActor("cli")  # the operator's full authority
        path = Path(options["file"])
        if path.suffix == ".csv":
            path.write_text(export_csv(options["kind"] or "people", admin), encoding="utf-8")
        else:
            path.write_bytes(export_workbook(admin))
        self.stdout.write(f"wrote {path}")
