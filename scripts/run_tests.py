"""Run the suite on SQLite, then on PostgreSQL when YINGJI_TEST_POSTGRES_URL is set or CI=true.

Under CI an unreachable PostgreSQL fails the run; it is never skipped silently.
"""

from __future__ import annotations

import os
import subprocess
import sys

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test"


def postgres_url() -> str | None:
    url = os.environ.get("YINGJI_TEST_POSTGRES_URL", "").strip()
    if url:
        return url
    if os.environ.get("CI", "").lower() == "true":
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


def pytest(database_url: str | None, extra: list[str]) -> int:
    env = dict(os.environ)
    env.pop("YINGJI_DATABASE_URL", None)
    if database_url:
        env["YINGJI_DATABASE_URL"] = database_url
        env.setdefault("YINGJI_SECRET_KEY", "test-only-secret-key-not-for-production")
    label = "PostgreSQL" if database_url else "SQLite"
    print(f"\n===== test suite on {label} =====", flush=True)
    return subprocess.call([sys.executable, "-m", "pytest", *extra], env=env)


def main() -> int:
    extra = sys.argv[1:]
    status = pytest(None, extra)
    url = postgres_url()
    if url is None:
        print("PostgreSQL run skipped: set YINGJI_TEST_POSTGRES_URL (CI=true runs it always).")
        return status
    problem = postgres_reachable(url)
    if problem:
        print(f"PostgreSQL at {url} is unreachable: {problem}", file=sys.stderr)
        return 1
    return pytest(url, extra) or status


if __name__ == "__main__":
    sys.exit(main())
