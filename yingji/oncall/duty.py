"""The duty leader (值班领导) and the duty expert: the leadership and expert groups keep duty
rosters like any other; when a report is escalated as an emergency, by the department head or
by the 15-minute rule (R-RESP-2), whoever is on duty is paged through their own contact rules
and must acknowledge — the whole group is told as well, but one person answers at once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from yingji.notify.services import notify
from yingji.oncall.choices import Urgency
from yingji.oncall.models import ContactRule, Roster
from yingji.oncall.services import on_duty_person

CHASE_AFTER = timedelta(minutes=5)  # unacknowledged: the next personal channel, then the office


def page_duty_people(incident: Any) -> None:
    """Called inside the escalation's transaction (incidents.escalated)."""
    now = timezone.now()
    for roster in Roster.objects.exclude(duty_for="").order_by("pk"):
        person = on_duty_person(roster, now)
        if person is None:
            continue
        rule = ContactRule.objects.filter(person=person, urgency=Urgency.CRITICAL).first()
        channels = (
            list(rule.channels.filter(enabled=True, personal=True)) if rule is not None else None
        )
        notify(
            event="oncall.duty",
            recipients=[person],
            context={
                "number": incident.pk,
                "title": incident.title,
                "confidential": incident.confidential,
                "exercise": incident.exercise,
                "grade": incident.grade or incident.severity,
                "roster": roster.name,
            },
            link=f"/incidents/{incident.pk}/",
            require_receipt=True,  # acknowledged by confirming; chased on the next channel
            escalate_after=CHASE_AFTER,
            personal_channels=channels,
            key=f"incident:{incident.pk}:duty:{roster.pk}",
        )
