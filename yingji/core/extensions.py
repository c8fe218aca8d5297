"""Extension points: how an app hangs work on pages it does not own without being imported.

Each app may have a `hooks.py`; it is imported once at start-up (like the engine's
`passes.py`) and registers navigation sections, home-page cards, panels on another app's
page (slot "incident" for the incident command page) and its demo loader. The owner of a
page renders whatever is registered for it and knows nothing of who registered it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

ContextFn = Callable[..., Mapping[str, Any] | None]  # None: nothing to show to this user


@dataclass(frozen=True)
class NavSection:
    key: str
    label: Any  # a lazy translation
    url_name: str
    order: int
    url_namespaces: tuple[str, ...] = ()  # pages of these namespaces mark the section current
    visible: Callable[[Any], bool] = lambda roles: True  # given the user's roles
    badge: Callable[[Any], int] | None = None  # a count beside the label, given the request


@dataclass(frozen=True)
class Card:
    """A card on the home page or a panel on another app's page: a template rendered with
    the context its function returns (None hides it)."""

    key: str
    template: str
    context: ContextFn
    order: int


@dataclass(frozen=True)
class DemoLoader:
    key: str
    load: Callable[[], object]
    order: int


NAV: dict[str, NavSection] = {}
HOME_CARDS: dict[str, Card] = {}
PANELS: dict[str, dict[str, Card]] = {}
DEMO_LOADERS: dict[str, DemoLoader] = {}


def register_nav(section: NavSection) -> None:
    NAV[section.key] = section


def register_home_card(key: str, *, template: str, context: ContextFn, order: int) -> None:
    """`context(request)` returns the card's template context, or None to leave it out."""
    HOME_CARDS[key] = Card(key=key, template=template, context=context, order=order)


def register_panel(
    slot: str, key: str, *, template: str, context: ContextFn, order: int = 100
) -> None:
    """`context(request, obj)` for a panel on the page of `obj` (slot "incident": the
    incident command page)."""
    PANELS.setdefault(slot, {})[key] = Card(
        key=key, template=template, context=context, order=order
    )


def register_demo(key: str, load: Callable[[], object], *, order: int) -> None:
    """Loaders run in `order` inside one transaction; each must be idempotent."""
    DEMO_LOADERS[key] = DemoLoader(key=key, load=load, order=order)


@dataclass(frozen=True)
class Shown:
    template: str
    context: Mapping[str, Any]


def nav_sections(roles: Any) -> list[NavSection]:
    return sorted((s for s in NAV.values() if s.visible(roles)), key=lambda s: s.order)


def home_cards(request: HttpRequest) -> list[Shown]:
    return _shown(HOME_CARDS.values(), request)


def panels(slot: str, request: HttpRequest, obj: Any) -> list[Shown]:
    return _shown(PANELS.get(slot, {}).values(), request, obj)


def demo_loaders() -> list[DemoLoader]:
    return sorted(DEMO_LOADERS.values(), key=lambda loader: loader.order)


def _shown(cards: Any, *args: Any) -> list[Shown]:
    shown = []
    for card in sorted(cards, key=lambda c: c.order):
        context = card.context(*args)
        if context is not None:
            shown.append(Shown(template=card.template, context=context))
    return shown
