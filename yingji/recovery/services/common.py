"""What the after-phase's services share: the settings, working days, checks of people and
times, and the "who is told" of each object."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.audit.services import audited_update
from yingji.core.actors import Actor
from yingji.core.errors import DomainError
from yingji.core.moments import checked_moment
from yingji.org.choices import PersonStatus
from yingji.org.models import Person
from yingji.recovery import queries
from yingji.recovery.models import RecoverySettings

FIELDS = (
    "plan_days",
    "rebuild_days",
    "summary_days",
    "review_days",
    "regulator_days",
    "regulator_grades",
    "regulator_categories",
    "remind_days",
    "calendar",
    "exercises",
)
DEFAULT_REGULATOR_GRADES = ["I", "II", "III"]  # CAC 2025: 较大 and above
DEFAULT_REGULATOR_CATEGORIES = ["network_security"]
AHEAD = timedelta(days=400)  # a due time further than this is a typing error


def recovery_settings() -> RecoverySettings:
    """The saved settings, or the defaults (unsaved: reading them writes nothing, so an engine
    pass on an installation nobody has set up changes nothing)."""
    found = RecoverySettings.objects.select_related("calendar").filter(pk=1).first()
    return found or RecoverySettings(
        pk=1,
        regulator_grades=DEFAULT_REGULATOR_GRADES,
        regulator_categories=DEFAULT_REGULATOR_CATEGORIES,
    )


def _saved_settings() -> RecoverySettings:
    try:
        with transaction.atomic():
            RecoverySettings.objects.get_or_create(
                pk=1,
                defaults={
                    "regulator_grades": DEFAULT_REGULATOR_GRADES,
                    "regulator_categories": DEFAULT_REGULATOR_CATEGORIES,
                },
            )
    except IntegrityError:  # another worker made it first
        pass
    return RecoverySettings.objects.select_for_update().get(pk=1)


@transaction.atomic
def settings_save(*, actor: Actor, **changes: Any) -> RecoverySettings:
    queries.require_coordinator(actor)
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise DomainError(_("Unknown setting."), field=sorted(unknown)[0])
    for name in ("plan_days", "rebuild_days", "summary_days", "review_days", "regulator_days"):
        if name in changes and not 1 <= int(changes[name]) <= 120:
            raise DomainError(_("Give between 1 and 120 days."), field=name)
    if "remind_days" in changes and not 0 <= int(changes["remind_days"]) <= 30:
        raise DomainError(_("Give between 0 and 30 days."), field="remind_days")
    row = _saved_settings()
    audited_update(actor=actor, instance=row, changes=changes, action="recovery.settings.save")
    return row


def working_days_after(start: datetime, days: int, settings: RecoverySettings) -> datetime:
    """`days` working days after `start`, at the same time of day: weekends and the holiday
    calendar's holidays are skipped, its make-up working days (调休) count."""
    holidays, workdays = _calendar(settings, timezone.localdate(start), days)
    moment = timezone.localtime(start)
    day = moment.date()
    left = days
    while left > 0:
        day += timedelta(days=1)
        if day in workdays or (day.weekday() < 5 and day not in holidays):
            left -= 1
    return moment.replace(year=day.year, month=day.month, day=day.day)


def _calendar(settings: RecoverySettings, start: date, days: int) -> tuple[set[date], set[date]]:
    if settings.calendar_id is None:
        return set(), set()
    window = settings.calendar.days.filter(  # type: ignore[union-attr]
        date__gt=start, date__lte=start + timedelta(days=days * 3 + 40)
    ).values_list("date", "kind")
    holidays = {d for d, kind in window if kind == "holiday"}
    return holidays, {d for d, kind in window if kind == "workday"}


def checked_person(person: Any, field: str = "owner") -> Person:
    """An owner is a person, not a group, and one still with us."""
    if not isinstance(person, Person) or person.status != PersonStatus.ACTIVE:
        raise DomainError(_("Name a person who is still active as the owner."), field=field)
    return person


def checked_due(value: Any, field: str = "due_at") -> datetime:
    if value is None:
        raise DomainError(_("Give a time point."), field=field)
    return checked_moment(
        value,
        field,
        back=timedelta(days=30),
        ahead=AHEAD,
        too_early=_("A time point more than 30 days ago cannot be right."),
        too_late=_("A time point more than 400 days ahead cannot be right."),
    )


def checked_text(value: Any, field: str, message: str, limit: int = 20_000) -> str:
    text = str(value or "").strip()
    if not text:
        raise DomainError(message, field=field)
    if len(text) > limit:
        raise DomainError(_("At most %(n)d characters.") % {"n": limit}, field=field)
    return text
