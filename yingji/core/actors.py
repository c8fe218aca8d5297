"""Actors that are not people: the CLI, the demo loader and (later) the engine act as these."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol


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


class Authority(Protocol):
    """What the kernel needs to know of someone's standing: may they administer the system,
    and do they maintain the organisation. The organisation app answers (org.roles)."""

    @property
    def admin(self) -> bool: ...

    @property
    def manages_org(self) -> bool: ...


@dataclass(frozen=True)
class AccountAuthority:
    """The answer without an organisation: what the account alone says."""

    admin: bool
    manages_org: bool


_AUTHORITY: list[Callable[[Any], Authority]] = []


def register_authority(answer: Callable[[Any], Authority]) -> None:
    _AUTHORITY[:] = [answer]


def authority_of(actor: Any) -> Authority:
    if _AUTHORITY:
        return _AUTHORITY[0](actor)
    admin = is_system(actor) or bool(
        getattr(actor, "is_active", False) and getattr(actor, "is_superuser", False)
    )
    return AccountAuthority(admin=admin, manages_org=admin)
