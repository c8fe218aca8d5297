import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yingji.core.actors import SystemActor
from yingji.core.errors import DomainError
from yingji.intake.choices import IntegrationKind
from yingji.intake.models import Integration
from yingji.intake.services import integration_create
from yingji.oncall.models import EscalationPolicy
from yingji.org.models import Person

CLI = SystemActor("cli")


class Command(BaseCommand):
    help = "Create or list alert-intake integrations (the key is printed once)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="print the new integration's key")
        create.add_argument("--kind", required=True, choices=IntegrationKind.values)
        create.add_argument("--name", required=True)
        create.add_argument(
            "--notify",
            nargs="*",
            default=[],
            metavar="USERNAME",
            help="people told of its alerts (default: the emergency office)",
        )
        create.add_argument("--policy", metavar="NAME", help="the escalation policy that pages")
        create.add_argument(
            "--mapping",
            metavar="JSON",
            type=json.loads,
            help="generic JSON: where summary, key, severity… are",
        )
        create.add_argument(
            "--every",
            type=int,
            metavar="SECONDS",
            help="heartbeats: a ping is due at least this often",
        )
        create.add_argument(
            "--group-by",
            nargs="*",
            default=[],
            metavar="LABEL",
            help="labels whose equal values make one group",
        )
        create.add_argument(
            "--group-window",
            type=int,
            default=5,
            metavar="MINUTES",
            help="new alerts of a group join it for this long (0: no groups)",
        )
        sub.add_parser("list", help="the integrations")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for i in Integration.objects.all():
                seen = f"{i.last_received_at:%Y-%m-%d %H:%M}" if i.last_received_at else "never"
                self.stdout.write(f"{i.pk}\t{i.kind}\t{i.name}\t…{i.key_hint}\t{seen}")
            return
        people = []
        for username in options["notify"]:
            person = Person.objects.filter(user__username=username).first()
            if person is None:
                raise CommandError(f"no person with the user name {username!r}")
            people.append(person)
        policy = None
        if options["policy"]:
            policy = EscalationPolicy.objects.filter(name=options["policy"]).first()
            if policy is None:
                raise CommandError(f"no escalation policy named {options['policy']!r}")
        try:
            _integration, key = integration_create(
                actor=CLI,
                name=options["name"],
                kind=options["kind"],
                responsible=people,
                escalation_policy=policy,
                heartbeat_seconds=options["every"],
                mapping=options["mapping"],
                group_by=options["group_by"],
                group_window_minutes=options["group_window"],
            )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        self.stdout.write(key)
