"""A roster as an iCalendar feed (RFC 5545), for Outlook, DingTalk or a phone's calendar:
one event per shift, in UTC, named after the person on duty."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from yingji.oncall.models import Roster
from yingji.oncall.services import roster_timeline
from yingji.org.models import Person

FEED_DAYS = 60


def roster_ics(roster: Roster, now: datetime) -> bytes:
    segments = [
        s
        for s in roster_timeline(roster, now, now + timedelta(days=FEED_DAYS))
        if s.person is not None
    ]
    names = dict(
        Person.objects.filter(pk__in={s.person for s in segments}).values_list("pk", "full_name")
    )
    feed = Calendar()
    feed.add("prodid", "-//Yingji//oncall//ZH")
    feed.add("version", "2.0")
    feed.add("x-wr-calname", roster.name)
    for segment in segments:
        event = Event()
        event.add("uid", f"yingji-roster-{roster.pk}-{segment.starts_at:%Y%m%dT%H%M%SZ}")
        name = names.get(segment.person or 0, "?")
        event.add("summary", _("On duty: %(name)s") % {"name": name})
        event.add("dtstart", segment.starts_at)
        event.add("dtend", segment.ends_at)
        event.add("dtstamp", now)
        event.add("description", f"{roster.name} · {segment.source}")
        feed.add_component(event)
    return feed.to_ical()
