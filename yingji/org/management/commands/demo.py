from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from yingji.incidents.demo import load_demo_incidents
from yingji.intake.demo import load_demo_intake
from yingji.monitoring.demo import load_demo_monitoring
from yingji.org.demo import demo_logins, load_demo
from yingji.org.models import Department, Person
from yingji.plans.demo import load_demo_plans


class Command(BaseCommand):
    help = "Load the demo organisation (idempotent) and print the demo log-ins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="load only into a database that has no organisation yet",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        has_data = Department.objects.exists() or Person.objects.exists()
        is_demo = Department.objects.filter(code="XXJS", name="信息技术部").exists()
        if options["if_empty"] and has_data and not is_demo:
            self.stdout.write("The database already holds an organisation; demo data not loaded.")
            return
        with transaction.atomic():
            load_demo()
            load_demo_plans()
            load_demo_incidents()
            load_demo_monitoring()
            load_demo_intake()
        self.stdout.write(self.style.SUCCESS("Demo organisation 示例科技有限公司 is ready."))
        self.stdout.write("Demo log-ins (username / password — role):")
        for username, password, role in demo_logins():
            self.stdout.write(f"  {username:<10} {password:<14} {role}")
