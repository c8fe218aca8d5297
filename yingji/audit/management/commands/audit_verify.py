from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yingji.audit.models import AuditEvent
from yingji.audit.services import audit_verify


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exits 1 if any event was edited, added or deleted."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = audit_verify()
        if problems:
            for problem in problems:
                self.stderr.write(f"TAMPERED: {problem}")
            raise CommandError(f"audit trail failed verification ({len(problems)} problem(s))")
        self.stdout.write(f"audit trail intact: {AuditEvent.objects.count()} events verified")
