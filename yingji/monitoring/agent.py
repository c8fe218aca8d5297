"""`yingji agent`: a small loop a server runs to push its CPU, memory, disk, load and network
traffic to Yingji every N seconds (R-MON-1). Plain Python with psutil; no database, no
Django. Samples carry the time they were taken, and batches that could not be sent are
kept (up to a limit) and sent first when Yingji answers again, so a network blip leaves no
hole that a rule would read as "no data"."""

from __future__ import annotations

import json
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psutil
import urllib3

KEEP_BATCHES = 240  # an hour of 15-second batches waits for Yingji to come back
MAX_DISKS = 20


@dataclass
class Agent:
    url: str  # Yingji's address, e.g. http://yingji.internal:8000
    token: str
    every: float = 15.0
    say: Callable[[str], None] = field(default=lambda line: print(line, file=sys.stderr))
    waiting: deque[list[dict[str, Any]]] = field(default_factory=lambda: deque(maxlen=KEEP_BATCHES))

    def __post_init__(self) -> None:
        self.pool = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(total=10))
        self.host = HostFigures()

    def collect(self) -> list[dict[str, Any]]:
        return self.host.collect()

    def push_once(self) -> bool:
        """Collect, then send everything waiting, oldest first; False if Yingji was away."""
        self.waiting.append(self.collect())
        while self.waiting:
            status, text = self._send(self.waiting[0])
            if status == 202:
                self.waiting.popleft()
                continue
            self.say(f"yingji agent: {status or 'no answer'} {text[:200]}")
            if 400 <= status < 500 and status != 429:
                self.waiting.popleft()  # Yingji refused it: sending it again will not help
                return False
            return False
        return True

    def _send(self, samples: list[dict[str, Any]]) -> tuple[int, str]:
        try:
            response = self.pool.request(
                "POST",
                self.url.rstrip("/") + "/api/v1/metrics",
                body=json.dumps({"samples": samples}).encode(),
                headers={
                    "Authorization": f"Bearer {self.token}",
                    "Content-Type": "application/json",
                },
            )
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            return 0, str(exc)
        return response.status, response.data.decode("utf-8", "replace")

    def run_forever(self) -> None:
        while True:
            started = time.monotonic()
            self.push_once()
            time.sleep(max(0.0, self.every - (time.monotonic() - started)))


class HostFigures:
    """This machine's figures; network traffic is a rate since the previous collection."""

    def __init__(self) -> None:
        self._last_net: tuple[float, dict[str, Any]] | None = None
        psutil.cpu_percent()  # the first reading only starts psutil's interval

    def collect(self) -> list[dict[str, Any]]:
        now = time.time()
        samples = [
            _sample("cpu_percent", psutil.cpu_percent(), now),
            _sample("memory_used_percent", psutil.virtual_memory().percent, now),
        ]
        for name, value in zip(("load1", "load5", "load15"), psutil.getloadavg(), strict=True):
            samples.append(_sample(name, value, now))
        for part in psutil.disk_partitions(all=False)[:MAX_DISKS]:
            try:
                used = psutil.disk_usage(part.mountpoint).percent
            except OSError:  # a CD drive or a mount that vanished
                continue
            samples.append(_sample("disk_used_percent", used, now, mount=part.mountpoint[:100]))
        return samples + self._network(now)

    def _network(self, now: float) -> list[dict[str, Any]]:
        """Bytes per second since the previous collection, per interface (not loopback)."""
        counters = {n: c for n, c in psutil.net_io_counters(pernic=True).items() if n != "lo"}
        previous, self._last_net = self._last_net, (now, counters)
        if previous is None:
            return []
        elapsed = max(now - previous[0], 1e-3)
        samples = []
        for name, count in counters.items():
            before = previous[1].get(name)
            if before is None or count.bytes_recv < before.bytes_recv:  # a counter reset
                continue
            interface = {"interface": name[:100]}
            samples += [
                _sample(
                    "net_receive_bytes_per_second",
                    (count.bytes_recv - before.bytes_recv) / elapsed,
                    now,
                    **interface,
                ),
                _sample(
                    "net_transmit_bytes_per_second",
                    (count.bytes_sent - before.bytes_sent) / elapsed,
                    now,
                    **interface,
                ),
            ]
        return samples


def _sample(metric: str, value: float, at: float, **labels: str) -> dict[str, Any]:
    sample: dict[str, Any] = {"metric": metric, "value": round(float(value), 3), "at": at}
    if labels:
        sample["labels"] = labels
    return sample
