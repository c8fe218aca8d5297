"""Helpers for tests that run real engines side by side."""

from __future__ import annotations

import threading

from django.db import connection

from yingji.engine.loop import Engine


def run_engines_in_parallel(count: int) -> list[Exception]:
    """Run `count` engines in threads, each until a cycle finds nothing; returns their errors.
    Each thread has its own database connection, as separate workers would."""
    errors: list[Exception] = []

    def run() -> None:
        engine = Engine()
        try:
            while engine.run_cycle():
                pass
        except Exception as exc:  # returned to the test, which asserts there were none
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
