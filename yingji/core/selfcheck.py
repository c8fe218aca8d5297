"""`yingji check`: what an operator wants to know before going live."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core import checks
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def run_self_check(say: Callable[[str], None]) -> bool:
    ok = True

    def report(passed: bool, label: str, detail: str = "", *, warning: bool = False) -> None:
        nonlocal ok
        ok = ok and passed
        mark = "FAIL" if not passed else "warn" if warning else "ok"
        say(f"[{mark}] {label}{': ' + detail if detail else ''}")

    mode = "embedded (SQLite)" if settings.EMBEDDED else "scale (PostgreSQL)"
    say(f"mode: {mode}; data dir: {settings.DATA_DIR}; time zone: {settings.TIME_ZONE}")
    try:
        connection.ensure_connection()
        report(True, "database reachable", connection.vendor)
    except Exception as exc:  # any driver error: report it, don't crash the check
        report(False, "database reachable", str(exc))
        return False
    pending = MigrationExecutor(connection).migration_plan(
        MigrationExecutor(connection).loader.graph.leaf_nodes()
    )
    report(not pending, "migrations applied", f"{len(pending)} pending" if pending else "")
    for message in checks.run_checks(include_deployment_checks=not settings.DEBUG):
        if message.level >= checks.WARNING and not message.is_silenced():
            passed = message.level < checks.ERROR
            report(passed, message.id or "check", message.msg, warning=passed)
    report(bool(settings.ALLOWED_HOSTS), "YINGJI_ALLOWED_HOSTS", ", ".join(settings.ALLOWED_HOSTS))
    return ok
