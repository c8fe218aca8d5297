import getpass
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yingji.accounts.services import admin_create
from yingji.core.actors import SystemActor
from yingji.core.errors import DomainError


class Command(BaseCommand):
    help = "Create a system administrator. The password comes from --password-file, "
    help += "YINGJI_ADMIN_PASSWORD, or a prompt."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", default="")
        parser.add_argument("--password-file", help="read the password from this file")

    def handle(self, *args: Any, **options: Any) -> None:
        password = self._password(options.get("password_file"))
        try:
            user = admin_create(
                actor=SystemActor("cli"),
                username=options["username"],
                email=options["email"],
                password=password,
            )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        self.stdout.write(f"administrator {user.username} created")

    def _password(self, path: str | None) -> str:
        if path:
            try:
                with open(path, encoding="utf-8") as handle:
                    return handle.read().strip()
            except OSError as exc:
                raise CommandError(f"cannot read {path}: {exc}") from None
        if os.environ.get("YINGJI_ADMIN_PASSWORD"):
            return os.environ["YINGJI_ADMIN_PASSWORD"]
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("the passwords differ")
        return first
