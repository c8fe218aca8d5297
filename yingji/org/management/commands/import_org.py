from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yingji.core.actors import SystemActor
from yingji.core.errors import DomainError
from yingji.org.transfer import import_organisation, read_tables


class Command(BaseCommand):
    help = "Import departments, people and memberships from .xlsx or .csv (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check only; change nothing")
        parser.add_argument(
            "--kind", choices=["departments", "people", "memberships"], help="what a CSV holds"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc}") from None
        try:
            tables = read_tables(content, path.name, options["kind"])
            report = import_organisation(
                actor=SystemActor("cli"), tables=tables, dry_run=options["dry_run"]
            )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        for error in report.errors:
            self.stderr.write(f"{error.sheet} row {error.row} {error.field}: {error.message}")
        if report.errors:
            raise CommandError(f"{len(report.errors)} error(s); nothing was imported")
        for sheet in ("departments", "people", "memberships"):
            self.stdout.write(
                f"{sheet}: {report.created.get(sheet, 0)} created, "
                f"{report.updated.get(sheet, 0)} updated, "
                f"{report.unchanged.get(sheet, 0)} unchanged"
            )
        self.stdout.write("dry run: nothing was changed" if report.dry_run else "imported")
