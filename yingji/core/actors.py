"""Actors that are not people: the CLI, the demo loader and (later) the engine act as these."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


class SystemActor:
    """A trusted internal caller; services skip access checks for it and audit it by name."""

    is_authenticated = False
    is_superuser = False

    def __init__(self, name: str):
        self.name = name

    def __str__(self) -> str:
        return self.name


SYSTEM = SystemActor("system")

# Who acts in a service: a signed-in user (a page or an API token), or a system actor (the
# CLI, the engine, the demo). AnonymousUser too: a page may call a read path before log-in.
Actor: TypeAlias = "User | AnonymousUser | SystemActor"


def user_of(actor: Actor | None) -> User | None:
    """The signed-in account behind an actor, for the "by" columns; None for a system actor
    (the audit trail names it instead)."""
    from django.contrib.auth.models import User

    return actor if isinstance(actor, User) else None


def person_user(actor: Actor) -> User:
    """The account of a person acting; a step only people take refuses anyone else."""
    from yingji.core.errors import AccessDenied

    user = user_of(actor)
    if user is None:
        raise AccessDenied(_("Only a signed-in person may do this."))
    return user


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


_NAMES: list[Callable[[Iterable[int]], dict[int, str]]] = []


def register_display_names(names: Callable[[Iterable[int]], dict[int, str]]) -> None:
    """The organisation says what a user is called (their name, not their log-in)."""
    _NAMES[:] = [names]


def display_names(user_ids: Iterable[int]) -> dict[int, str]:
    """{user id: name} in one query; users without a name are left out."""
    return _NAMES[0](user_ids) if _NAMES else {}
