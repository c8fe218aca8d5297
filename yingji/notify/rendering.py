"""Notices in each reader's language, in each channel's format.

An event (`channel.broken`, later `incident.escalated`, ...) registers a translatable title
and text with %(name)s placeholders. A message keeps the facts (`context`); each delivery is
rendered when it is sent, in its reader's language: the person's own, else the chat
channel's, else the organisation's. Formats are templates that an event may override:
`notify/events/<event>/<format>` before `notify/formats/<format>`, for the formats
`im.md` (chat markdown), `email.txt` + `email.html` and `sms.txt`.

Chats and SMS carry the title, grade and link only; the text stays in e-mail and the app,
because some companies forbid incident detail in public IM."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.template.loader import select_template
from django.utils import translation
from django.utils.functional import Promise

log = logging.getLogger("yingji.notify")
FORMATS = ("im.md", "email.txt", "email.html", "sms.txt")


@dataclass(frozen=True)
class EventText:
    title: Any  # a lazy translatable string with %(name)s placeholders
    body: Any = None
    # Turns stored codes into words in the active language (a grade code into its name).
    prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None


EVENTS: dict[str, EventText] = {}


def register_event(
    event: str,
    *,
    title: Any,
    body: Any = None,
    prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> None:
    EVENTS[event] = EventText(title=title, body=body, prepare=prepare)


EVENT_KINDS: dict[str, Any] = {}


def register_event_kind(prefix: str, label: Any) -> None:
    """What a person calls the notices whose event starts with `prefix` ("incident" ->
    "Incident"), for lists that show which kind a notice is instead of its code."""
    EVENT_KINDS[prefix] = label


def event_kind(event: str) -> str:
    """The longest registered prefix's label: "incident.task_overdue" -> "Task"."""
    parts = event.split(".")
    for end in range(len(parts), 0, -1):
        label = EVENT_KINDS.get(".".join(parts[:end]))
        if label is not None:
            return str(label)
    return str(EVENT_KINDS.get("", ""))


@dataclass(frozen=True)
class Notice:
    """One message as one reader sees it."""

    event: str
    title: str
    body: str
    link: str = ""  # absolute
    grade: str = ""
    receipt: str = ""  # absolute confirmation link, personal notices that need one
    language: str = ""
    message_id: int | None = None
    facts: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.title


def absolute(path: str) -> str:
    return path if "://" in path else settings.BASE_URL.rstrip("/") + path


def _language(language: str | None) -> str:
    return language or settings.LANGUAGE_CODE


def event_text(event: str, context: dict[str, Any], language: str | None) -> tuple[str, str]:
    """Title and text of a registered event in `language`. Raises KeyError/ValueError when
    the facts do not fit the template (the caller decides what that means)."""
    text = EVENTS[event]
    with translation.override(_language(language)):
        facts = text.prepare(dict(context)) if text.prepare else context
        # `lazy % facts`, not `str(lazy) % facts`: a plural picks its form from the facts
        title = str(text.title % facts)
        body = str(text.body % facts) if text.body else ""
    return title, body


def shown_facts(event: str, context: dict[str, Any], language: str | None) -> dict[str, Any]:
    """The facts as a reader may see them (a confidential incident's title replaced): what a
    webhook receives beside the text."""
    text = EVENTS[event]
    if text.prepare is None:
        return dict(context)
    with translation.override(_language(language)):
        return {
            key: str(value) if isinstance(value, Promise) else value
            for key, value in text.prepare(dict(context)).items()
        }


def notice_for(message: Any, language: str | None = None, *, receipt_token: str = "") -> Notice:
    """The message in `language`. A registered event is rendered from its facts; a message
    someone typed (a broadcast) is shown as typed. A translation whose placeholders do not
    fit falls back to the stored text rather than losing the notice."""
    title, body = message.title, message.body
    facts = dict(message.context or {})
    if message.event in EVENTS:
        try:
            title, body = event_text(message.event, message.context or {}, language)
            facts = shown_facts(message.event, facts, language)
        except (KeyError, ValueError, TypeError) as exc:
            log.warning("event %s did not render in %s: %r", message.event, language, exc)
    return Notice(
        event=message.event,
        title=title,
        body=body,
        link=absolute(message.link) if message.link else "",
        grade=str((message.context or {}).get("grade", "")),
        receipt=absolute(f"/notify/r/{receipt_token}/") if receipt_token else "",
        language=_language(language),
        message_id=message.pk,
        facts=facts,
    )


def reader_language(delivery: Any) -> str:
    person = delivery.person if delivery.person_id else None
    channel = delivery.channel if delivery.channel_id else None
    return (
        (person.language if person else "")
        or (channel.language if channel else "")
        or settings.LANGUAGE_CODE
    )


def notice_for_delivery(delivery: Any) -> Notice:
    """What one delivery carries: personal deliveries get their own confirmation link when
    the message asks for a receipt."""
    token = (
        delivery.receipt_token if delivery.person_id and delivery.message.require_receipt else ""
    )
    return notice_for(delivery.message, reader_language(delivery), receipt_token=token)


def render_format(notice: Notice, fmt: str, **extra: Any) -> str:
    """`fmt` of the notice in its language, from the event's own template when it has one."""
    assert fmt in FORMATS, fmt
    names = [f"notify/events/{notice.event}/{fmt}", f"notify/formats/{fmt}"]
    with translation.override(notice.language):
        template = select_template(names)
        return template.render({"notice": notice, **extra}).strip()
