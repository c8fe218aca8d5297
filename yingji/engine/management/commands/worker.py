import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from yingji.engine.loop import Engine


class Command(BaseCommand):
    help = "Run the engine: timers, notification outbox, periodic passes. Safe to run N copies."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run one cycle and exit")
        parser.add_argument(
            "--idle", type=float, default=1.0, help="seconds to wait when nothing is due"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        engine = Engine(idle_seconds=max(0.05, min(options["idle"], 1.0)))
        if options["once"]:
            handled = engine.run_cycle()
            self.stdout.write(f"one cycle: {handled} item(s) handled")
            return
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_args: engine.stop.set())
        engine.run_forever()
