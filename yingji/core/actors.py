"""Actors that are not people: the CLI, the demo loader and (later) the engine act as these."""

from __future__ import annotations

from typing import Any


class SystemActor:
    """A trusted internal caller; services skip access checks for it and audit it by name."""

    is_authenticated = False
    is_superuser = False

    def __init__(self, name: str):
        self.name = name

    def __str__(self) -> str:
        return self.name


SYSTEM = SystemActor("system")


def is_system(actor: Any) -> bool:
    return isinstance(actor, SystemActor)
