"""Organisation benchmarks: figures and ratios against a reference run on the same machine.

    .venv/bin/python bench/bench_org.py            # embedded SQLite in a temporary data dir
    YINGJI_DATABASE_URL=postgres://... YINGJI_SECRET_KEY=x .venv/bin/python bench/bench_org.py

Reference: GET /healthz (one trivial query) measured in the same run. Targets: the people
list and the audit page cost the same at 10,000 people as at 1,000 (ratio near 1.0: they are
O(page)); an import of 2,000 people stays under 30 s; audit_verify reads >= 5,000 events/s.
"""

from __future__ import annotations

import io
import os
import statistics
import tempfile
import time
from collections.abc import Callable

os.environ.setdefault("YINGJI_DATA_DIR", tempfile.mkdtemp(prefix="yingji-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.settings")
os.environ.setdefault("YINGJI_ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from yingji.audit.services import audit_verify  # noqa: E402
from yingji.core.actors import SYSTEM  # noqa: E402
from yingji.org.models import Department, Person  # noqa: E402
from yingji.org.transfer import import_organisation, read_tables  # noqa: E402


def median_ms(action: Callable[[], object], repeat: int = 15) -> float:
    action()  # warm caches and connections
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def workbook(first: int, count: int) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "people"
    sheet.append(["employee_no", "full_name", "department_code", "mobile"])
    for n in range(first, first + count):
        sheet.append([f"B{n:06d}", f"压测{n}", "YWZX", f"135{n:08d}"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def grow_to(total: int, batch: int = 2000) -> float:
    """Import people until there are `total`; returns seconds per 2,000 rows."""
    timings = []
    while Person.objects.count() < total:
        first = Person.objects.count()
        content = workbook(first, min(batch, total - first))
        start = time.perf_counter()
        report = import_organisation(
            actor=SYSTEM, tables=read_tables(content, "b.xlsx", None), dry_run=False
        )
        assert not report.errors, report.errors[:3]
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) if timings else 0.0


def main() -> None:
    call_command("migrate", "--noinput", "-v", "0")
    if not Department.objects.filter(code="YWZX").exists():
        call_command("demo", "-v", "0", stdout=io.StringIO())
    client = Client()
    client.force_login(get_user_model().objects.get(username="office"))
    pages = {
        "people list": "/org/people/",
        "people search": "/org/people/?q=压测1",
        "audit trail": "/audit/",
    }

    def page_times() -> dict[str, float]:
        times = {}
        for name, url in pages.items():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            times[name] = median_ms(lambda url=url: client.get(url))  # type: ignore[misc]
        return times

    reference = median_ms(lambda: client.get("/healthz"))
    import_seconds = grow_to(1000)
    at_1k = page_times()
    import_seconds = grow_to(10000) or import_seconds
    at_10k = page_times()

    start = time.perf_counter()
    problems = audit_verify()
    from yingji.audit.models import AuditEvent

    events = AuditEvent.objects.count()
    verify_rate = events / (time.perf_counter() - start)

    print(f"database: {django.db.connection.vendor}; people: {Person.objects.count()}")
    print(f"reference GET /healthz: {reference:.2f} ms")
    for name in pages:
        print(
            f"{name:14s} 1k people: {at_1k[name]:7.2f} ms  10k people: {at_10k[name]:7.2f} ms"
            f"  ratio 10k/1k: {at_10k[name] / at_1k[name]:.2f}"
            f"  vs reference: {at_10k[name] / reference:.1f}x"
        )
    print(f"import: {import_seconds:.2f} s per 2,000 people ({2000 / import_seconds:.0f} rows/s)")
    print(f"audit_verify: {events} events at {verify_rate:,.0f} events/s; problems: {problems}")


if __name__ == "__main__":
    main()
