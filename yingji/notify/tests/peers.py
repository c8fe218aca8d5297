"""Real local peers for notification tests: an SMTP server and chat-robot HTTP receivers."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Received:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default of 5 drops concurrent connects (SYN retries: 1 s)


@dataclass
class Robot:
    """An HTTP receiver that records every request and answers from a script of replies
    (status, JSON); when the script runs out it repeats the last reply."""

    replies: list[tuple[int, dict[str, Any]]] = field(default_factory=lambda: [(200, {})])
    received: list[Received] = field(default_factory=list)
    hold_first: bool = False  # keep the first request unanswered until `release` is set
    hold_all: bool = False  # keep every request unanswered until `release` (a hung gateway)
    delay: float = 0.0  # answer after this many seconds, as a robot across the internet does
    in_flight: int = 0
    most_in_flight: int = 0  # the most requests it was answering at the same time
    first_request: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def wait_for_requests(self, count: int, timeout: float = 10) -> bool:
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.received) >= count, timeout=timeout)

    def start(self) -> Robot:
        robot = self
        self.arrived = threading.Condition()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the robots' servers do
            disable_nagle_algorithm = True  # headers and body go out as separate writes

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                with robot.arrived:
                    robot.in_flight += 1
                    robot.most_in_flight = max(robot.most_in_flight, robot.in_flight)
                try:
                    self.answer()
                finally:
                    with robot.arrived:
                        robot.in_flight -= 1

            def answer(self) -> None:
                if robot.delay:
                    time.sleep(robot.delay)
                if robot.hold_all or (robot.hold_first and not robot.first_request.is_set()):
                    robot.first_request.set()
                    robot.release.wait(timeout=60)
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                if len(body) < length:
                    # The sender died between its headers and its body (a worker killed
                    # mid-send): like any server, the robot never saw a request.
                    self.close_connection = True
                    return
                parsed = urllib.parse.urlsplit(self.path)
                request = Received(
                    path=parsed.path,
                    query=dict(urllib.parse.parse_qsl(parsed.query)),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
                with robot.arrived:
                    robot.received.append(request)
                    robot.arrived.notify_all()
                status, payload = (
                    robot.replies.pop(0) if len(robot.replies) > 1 else robot.replies[0]
                )
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = _Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Collector:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)  # what policy.default produces
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    def __init__(self) -> None:
        self.collector = _Collector()
        # aiosmtpd's start-up check connects to the configured port, so it must be a real one.
        self.controller = Controller(self.collector, hostname="127.0.0.1", port=_free_port())

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    @property
    def port(self) -> int:
        return self.controller.port

    @property
    def messages(self) -> list[tuple[list[str], EmailMessage]]:
        return self.collector.messages

    def stop(self) -> None:
        self.controller.stop()


def robot_behind_webhook(case: Any, name: str = "hook", **robot_options: Any) -> tuple[Robot, Any]:
    """A started robot that answers {"ok": true}, and a signed webhook channel to it; both
    cleaned up with the test (a held request is released first)."""
    from yingji.core.actors import SYSTEM
    from yingji.notify import lanes
    from yingji.notify.services import channel_save

    robot = Robot(replies=[(200, {"ok": True})], **robot_options).start()
    case.addCleanup(robot.stop)
    case.addCleanup(lambda: lanes.drain(timeout=30))  # what the lanes held is answered
    case.addCleanup(robot.release.set)
    channel = channel_save(
        actor=SYSTEM,
        channel=None,
        name=name,
        kind="webhook",
        config={"url": f"{robot.url}/h", "secret": "0123456789abcdef"},
    )
    return robot, channel
