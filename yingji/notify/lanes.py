"""Sending lanes: each channel sends in its own thread, apart from the engine's cycle.

A gateway that answers after 30 s, or never, must slow only its own deliveries (issue 15,
R-RESP-2 and R-ACT-2: people are told in time). The cycle claims, renders and records — the
only database work — and hands each channel's chunks to that channel's lane; the lane sends
(its chunk side by side) and puts the outcomes on `FINISHED`, where the next look of any
engine of this process records them. A lane holds at most `CHUNKS_HELD` chunks, so a stuck
channel keeps at most that many of its deliveries claimed; the rest stay queued for when it
answers again. Urgent chunks overtake a broadcast's inside a lane (a priority queue).
"""

from __future__ import annotations

import itertools
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from yingji.engine.wakeup import wake_this_process

CHUNKS_HELD = 4
# Targeted notices (priority 0) may fill as many chunks again, so a lane busy with a
# broadcast still takes them at once, ahead of the broadcast's chunks.
URGENT_CHUNKS_HELD = 2 * CHUNKS_HELD


@dataclass
class Finished:
    channel_id: int
    sent: list[Any]  # the outcomes of the sends made
    unsent: list[Any] = field(default_factory=list)  # deliveries past their time: handed back


@dataclass(order=True)
class _Chunk:
    priority: int
    order: int
    jobs: list[tuple[Any, Any]] = field(compare=False)  # (delivery, notice)
    start_before: datetime = field(compare=False)  # later, the claim's lease may have run out


FINISHED: queue.Queue[Finished] = queue.Queue()
_order = itertools.count()


class Lane:
    def __init__(self, channel_id: int, send: Callable[[Any, Any], Any]) -> None:
        self.channel_id = channel_id
        self.send = send
        self.inbox: queue.PriorityQueue[_Chunk] = queue.PriorityQueue()
        self.held = 0  # chunks handed in and not yet taken off FINISHED
        self.pool = ThreadPoolExecutor(settings.SEND_CONCURRENCY, f"yingji-lane-{channel_id}")
        threading.Thread(target=self._run, name=f"yingji-lane-{channel_id}", daemon=True).start()

    def _run(self) -> None:
        while True:
            chunk = self.inbox.get()
            if timezone.now() >= chunk.start_before:
                FINISHED.put(Finished(self.channel_id, [], [d for d, _n in chunk.jobs]))
            elif len(chunk.jobs) == 1:
                FINISHED.put(Finished(self.channel_id, [self.send(*chunk.jobs[0])]))
            else:
                outcomes = list(self.pool.map(lambda job: self.send(*job), chunk.jobs))
                FINISHED.put(Finished(self.channel_id, outcomes))
            wake_this_process()  # an idle engine records it now, not at its next poll


_LANES: dict[int, Lane] = {}
_LOCK = threading.Lock()  # several engines may share the process (tests, `serve --engines`)


def _limit(urgent: bool) -> int:
    return URGENT_CHUNKS_HELD if urgent else CHUNKS_HELD


def room(channel_id: int, *, urgent: bool = False) -> int:
    """How many more chunks the channel's lane takes now."""
    with _LOCK:
        lane = _LANES.get(channel_id)
        return max(0, _limit(urgent) - (lane.held if lane else 0))


def full_channels(*, urgent: bool = False) -> list[int]:
    with _LOCK:
        return [pk for pk, lane in _LANES.items() if lane.held >= _limit(urgent)]


def hand_in(
    channel_id: int,
    jobs: list[tuple[Any, Any]],
    *,
    priority: int,
    start_before: datetime,
    send: Callable[[Any, Any], Any],
) -> None:
    with _LOCK:
        lane = _LANES.get(channel_id)
        if lane is None:
            lane = _LANES[channel_id] = Lane(channel_id, send)
        lane.held += 1
    lane.inbox.put(_Chunk(priority, next(_order), jobs, start_before))


def take_finished(wait: float) -> Finished | None:
    """The next finished chunk, waiting at most `wait` seconds for one."""
    try:
        finished = FINISHED.get(timeout=wait) if wait > 0 else FINISHED.get_nowait()
    except queue.Empty:
        return None
    with _LOCK:
        lane = _LANES.get(finished.channel_id)
        if lane is not None:
            lane.held -= 1
    return finished


def chunks_held() -> int:
    with _LOCK:
        return sum(lane.held for lane in _LANES.values())


def drain(timeout: float) -> None:
    """Tests: wait for the lanes to finish what they hold and forget it (its database is
    gone), so nothing of one test is recorded in the next."""
    give_up_at = time.monotonic() + timeout
    while chunks_held() and (left := give_up_at - time.monotonic()) > 0:
        take_finished(left)
