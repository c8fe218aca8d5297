"""The `yingji` command: serve, web, demo, createadmin, check, token and manage."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

SUBCOMMANDS_PASSED_THROUGH = {"manage", "token", "integration"}


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.settings")
    from yingji.env import ConfigError

    try:
        import django

        django.setup()
    except ConfigError as exc:
        sys.exit(f"yingji: configuration error: {exc}")


def _call(name: str, *args: str) -> None:
    from django.core.management import call_command

    call_command(name, *args)


def _start_engine(worker: Any) -> None:
    """gunicorn post_worker_init: the engine starts after the fork, in the serving process."""
    from yingji.engine.loop import start_in_thread

    worker.yingji_engine = start_in_thread()


def _stop_engine(server: Any, worker: Any) -> None:
    """gunicorn worker_exit: let the engine finish its current item."""
    engine = getattr(worker, "yingji_engine", None)
    if engine is not None:
        engine.stop.set()
        if engine.thread is not None:
            engine.thread.join(timeout=10)


def _run_server(
    host: str, port: int, workers: int, threads: int, *, with_engine: bool = False
) -> None:
    from gunicorn.app.base import BaseApplication

    from yingji.wsgi import application

    class YingjiServer(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", threads)
            self.cfg.set("accesslog", "-")
            # An import of a 20,000-row workbook is one long request (~5 ms a row).
            self.cfg.set("timeout", 300)
            if "control_socket_disable" in self.cfg.settings:  # gunicorn >= 24 writes one to $HOME
                self.cfg.set("control_socket_disable", True)
            if with_engine:
                self.cfg.set("post_worker_init", _start_engine)
                self.cfg.set("worker_exit", _stop_engine)

        def load(self) -> Any:
            return application

    YingjiServer().run()


def cmd_serve(args: argparse.Namespace) -> None:
    from django.conf import settings

    _call("migrate", "--noinput", "-v", "0")
    print(f"Yingji on http://{args.host}:{args.port}  (data: {settings.DATA_DIR})")
    print("engine: running in this process beside the web server")
    # One serving process with threads: SQLite has one writer, and exactly one engine runs.
    _run_server(args.host, args.port, workers=1, threads=args.threads, with_engine=True)


def cmd_web(args: argparse.Namespace) -> None:
    _run_server(args.host, args.port, workers=args.workers, threads=args.threads)


def cmd_worker(args: argparse.Namespace) -> None:
    _call("worker", *(["--once"] if args.once else []))


def cmd_demo(args: argparse.Namespace) -> None:
    _call("migrate", "--noinput", "-v", "0")
    _call("demo", *(["--if-empty"] if args.if_empty else []))


def cmd_createadmin(args: argparse.Namespace) -> None:
    extra = ["--username", args.username, "--email", args.email]
    if args.password_file:
        extra += ["--password-file", args.password_file]
    _call("createadmin", *extra)


def cmd_check(args: argparse.Namespace) -> None:
    from yingji.core.selfcheck import run_self_check

    sys.exit(0 if run_self_check(print) else 1)


def cmd_agent(args: argparse.Namespace) -> None:
    """Runs on a monitored server: no database, no Django (R-MON-1)."""
    from yingji.monitoring.agent import Agent

    if not args.url or not args.token:
        sys.exit("yingji agent: give --url and --token (or YINGJI_AGENT_URL, YINGJI_AGENT_TOKEN)")
    agent = Agent(url=args.url, token=args.token, every=args.every)
    if args.once:
        sys.exit(0 if agent.push_once() else 1)
    agent.run_forever()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="yingji", description="Yingji emergency management")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="web + engine in one process (embedded mode)")
    serve.add_argument("--host", default=os.environ.get("YINGJI_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("YINGJI_PORT", "8000")))
    serve.add_argument("--threads", type=int, default=8)
    serve.set_defaults(func=cmd_serve)
    web = sub.add_parser("web", help="the web application only (scale mode, behind a balancer)")
    web.add_argument("--host", default=os.environ.get("YINGJI_HOST", "127.0.0.1"))
    web.add_argument("--port", type=int, default=int(os.environ.get("YINGJI_PORT", "8000")))
    web.add_argument("--workers", type=int, default=2)
    web.add_argument("--threads", type=int, default=4)
    web.set_defaults(func=cmd_web)
    worker = sub.add_parser("worker", help="the engine only (any number, against PostgreSQL)")
    worker.add_argument("--once", action="store_true", help="run one cycle and exit (cron, tests)")
    worker.set_defaults(func=cmd_worker)
    demo = sub.add_parser("demo", help="load the demo organisation and print the demo log-ins")
    demo.add_argument("--if-empty", action="store_true", help="only into an empty database")
    demo.set_defaults(func=cmd_demo)
    admin = sub.add_parser("createadmin", help="create a system administrator")
    admin.add_argument("--username", required=True)
    admin.add_argument("--email", default="")
    admin.add_argument("--password-file")
    admin.set_defaults(func=cmd_createadmin)
    check = sub.add_parser("check", help="configuration self-check")
    check.set_defaults(func=cmd_check)
    agent = sub.add_parser("agent", help="push this server's CPU, memory, disk, load and network")
    agent.add_argument("--url", default=os.environ.get("YINGJI_AGENT_URL", ""))
    agent.add_argument("--token", default=os.environ.get("YINGJI_AGENT_TOKEN", ""))
    agent.add_argument("--every", type=float, default=15.0, help="seconds between pushes")
    agent.add_argument("--once", action="store_true", help="push once and exit (tests, cron)")
    agent.set_defaults(func=cmd_agent)
    sub.add_parser("token", help="API tokens: create USERNAME | list USERNAME | revoke ID")
    sub.add_parser("integration", help="alert intake: create --kind KIND --name NAME | list")
    sub.add_parser("manage", help="any Django management command")
    return parser


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS_PASSED_THROUGH:
        _setup_django()
        from django.core.management import execute_from_command_line

        rest = argv[1:] if argv[0] == "manage" else argv
        execute_from_command_line(["yingji manage", *rest])
        return
    args = _parser().parse_args(argv)
    for name in ("port", "threads", "workers"):
        if getattr(args, name, 1) < 1:
            sys.exit(f"yingji: --{name} must be a positive number")
    if args.command == "agent":
        if args.every < 1:
            sys.exit("yingji: --every must be at least 1 second")
        args.func(args)  # a monitored server has no Yingji database
        return
    _setup_django()
    args.func(args)


if __name__ == "__main__":
    main()
