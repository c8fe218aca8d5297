"""Real local targets for the checks: a small web site, a TCP listener, node_exporter."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

PAGES = {
    "/health": (200, "服务正常 OK"),
    "/down": (503, "维护中"),
}


class _Site(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        if self.path == "/slow":
            time.sleep(3)
        status, text = PAGES.get(self.path, (404, "not found"))
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def web_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def node_exporter() -> Iterator[str]:
    """Debian's prometheus-node-exporter on a free port (.ci/run installs it)."""
    binary = shutil.which("prometheus-node-exporter")
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must scrape a real node_exporter: .ci/run installs it")
        pytest.skip("prometheus-node-exporter is not installed (apt-get install it)")
    port = free_port()
    process = subprocess.Popen(
        [binary, f"--web.listen-address=127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/metrics"
    try:
        for _attempt in range(100):
            try:
                urllib.request.urlopen(url, timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


SNMP_V3_USERS = [
    {
        "version": "3",
        "user": "yingji",
        "auth_protocol": "SHA",
        "auth_key": "auth-pass-1",
        "priv_protocol": "AES",
        "priv_key": "priv-pass-1",
    },
    {
        "version": "3",
        "user": "yingji256",
        "auth_protocol": "SHA-256",
        "auth_key": "auth-pass-2",
        "priv_protocol": "AES-256",
        "priv_key": "priv-pass-2",
    },
]


@contextmanager
def snmp_agent(tmp: str) -> Iterator[str]:
    """Debian's Net-SNMP agent on a free UDP port (.ci/run installs it): community "public",
    and the SNMPv3 users of SNMP_V3_USERS, with authentication and privacy."""
    binary = shutil.which("snmpd") or (
        "/usr/sbin/snmpd" if os.path.exists("/usr/sbin/snmpd") else None
    )
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must poll a real SNMP agent: .ci/run installs snmpd")
        pytest.skip("snmpd is not installed (apt-get install snmpd)")
    port = free_port()
    config = os.path.join(tmp, "snmpd.conf")
    with open(config, "w") as out:
        out.write(f"agentAddress udp:127.0.0.1:{port}\nrocommunity public 127.0.0.1\n")
        for user in SNMP_V3_USERS:
            out.write(
                f'createUser {user["user"]} {user["auth_protocol"]} "{user["auth_key"]}" '
                f'{user["priv_protocol"]} "{user["priv_key"]}"\nrouser {user["user"]} priv\n'
            )
    # snmpd keeps the users' localised keys in its persistent directory
    environment = {**os.environ, "SNMP_PERSISTENT_DIR": os.path.join(tmp, "persist")}
    process = subprocess.Popen(
        [binary, "-f", "-Lo", "-C", "-c", config, "-M", "/dev/null"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=environment,
    )
    try:
        time.sleep(0.5)  # UDP has no connect to wait for; the first poll retries anyway
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
