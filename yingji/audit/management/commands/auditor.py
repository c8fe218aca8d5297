from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from yingji.audit.queries import is_auditor
from yingji.audit.services import audit_record
from yingji.core.actors import SYSTEM


class Command(BaseCommand):
    help = (
        "Auditors read the whole audit trail, confidential incidents included: "
        "grant USERNAME | revoke USERNAME | list"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["grant", "revoke", "list"])
        parser.add_argument("username", nargs="?")

    def handle(self, *args: Any, action: str, username: str | None, **options: Any) -> None:
        permission = Permission.objects.get(
            content_type__app_label="audit", codename="see_confidential"
        )
        if action == "list":
            for auditor in permission.user_set.order_by("username"):
                self.stdout.write(auditor.username)
            return
        if not username:
            raise CommandError(f"auditor {action} needs a USERNAME")
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        with transaction.atomic():
            if action == "grant":
                user.user_permissions.add(permission)
            else:
                user.user_permissions.remove(permission)
            audit_record(actor=SYSTEM, action=f"audit.auditor.{action}", obj=user)
        state = "is an auditor" if is_auditor(user) else "is not an auditor"
        self.stdout.write(f"{username} {state}")
