"""A workflow is data (STYLE.md convention 3): a table of transitions each app declares in
its choices.py, read by the app's one transition function and rendered in docs and pages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Transition:
    action: str
    source: str
    target: str
    who: str
    clause: str  # the regulation ID the step comes from


def find_transition(table: Iterable[Transition], action: str, source: str) -> Transition | None:
    return next((t for t in table if t.action == action and t.source == source), None)
