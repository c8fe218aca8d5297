from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from yingji.core.extensions import demo_loaders
from yingji.org.demo import demo_logins, is_other_organisation


class Command(BaseCommand):
    help = "Load the demo organisation (idempotent) and print the demo log-ins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="load only into a database that has no organisation yet",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and is_other_organisation():
            self.stdout.write("The database already holds an organisation; demo data not loaded.")
            return
        with transaction.atomic():  # every app's demo (their hooks.py), in order, or none
            for loader in demo_loaders():
                loader.load()
        self.stdout.write(self.style.SUCCESS("Demo organisation 示例科技有限公司 is ready."))
        self.stdout.write("Demo log-ins (username / password — role):")
        for username, password, role in demo_logins():
            self.stdout.write(f"  {username:<10} {password:<14} {role}")
