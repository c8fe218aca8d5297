"""Run the suite on SQLite, then on PostgreSQL when YINGJI_TEST_POSTGRES_URL is set or CI=true,
then (CI=true or YINGJI_TEST_YEAR_AHEAD=1) once more on SQLite with the clock a year ahead.

Under CI an unreachable PostgreSQL or a missing `datefudge` fails the run; neither is skipped
silently. The year-ahead run proves no test compares a fixed date with the real clock.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test"


def postgres_url() -> str | None:
    url = os.environ.get("YINGJI_TEST_POSTGRES_URL", "").strip()
    if url:
        return url
    if under_ci():
        return DEFAULT_POSTGRES_URL
    return None


def postgres_reachable(url: str) -> str | None:
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # report any driver error to the operator
        return str(exc)
    return None


def under_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def pytest(database_url: str | None, extra: list[str], *, year_ahead: bool = False) -> int:
    env = dict(os.environ)
    env.pop("YINGJI_DATABASE_URL", None)
    command = [sys.executable, "-m", "pytest", *extra]
    if database_url:
        env["YINGJI_DATABASE_URL"] = database_url
        env.setdefault("YINGJI_SECRET_KEY", "test-only-secret-key-not-for-production")
    if year_ahead:
        # datefudge moves the wall clock (time, gettimeofday, CLOCK_REALTIME) of the run and
        # of every process it starts, and nothing else: sleeps and timeouts stay real.
        # (libfaketime also moves them, and Python's sleeps and waits then fail or hang.)
        future = datetime.now(UTC) + timedelta(days=366)
        command = ["datefudge", future.strftime("%Y-%m-%d %H:%M:%S UTC"), *command]
    label = "PostgreSQL" if database_url else "SQLite"
    print(f"\n===== test suite on {label}{' a year ahead' if year_ahead else ''} =====", flush=True)
    return subprocess.call(command, env=env)


def year_ahead(extra: list[str]) -> int:
    wanted = os.environ.get("YINGJI_TEST_YEAR_AHEAD", "").strip()
    if wanted == "0" or not (wanted == "1" or under_ci()):
        return 0
    if shutil.which("datefudge") is None:
        print("The year-ahead run needs `datefudge` (apt-get install datefudge).", file=sys.stderr)
        return 1 if under_ci() else 0
    return pytest(None, extra, year_ahead=True)


def main() -> int:
    extra = sys.argv[1:]
    status = pytest(None, extra)
    url = postgres_url()
    if url is None:
        print("PostgreSQL run skipped: set YINGJI_TEST_POSTGRES_URL (CI=true runs it always).")
    elif problem := postgres_reachable(url):
        print(f"PostgreSQL at {url} is unreachable: {problem}", file=sys.stderr)
        return 1
    else:
        status = pytest(url, extra) or status
    return year_ahead(extra) or status


if __name__ == "__main__":
    sys.exit(main())
