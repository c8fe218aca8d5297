"""One rule for every date and time a person or a program gives us (pages, API, imports):
aware, in a plausible year, and inside the window the field allows around now. Checked in
the services, so a page and the API answer alike; year 0001 or 9999 is a typing slip to
point out, never a 500 (an aware datetime that far out overflows when compared)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core.errors import DomainError

EARLIEST_YEAR, LATEST_YEAR = 2000, 2099
CLOCK_SKEW = timedelta(minutes=5)  # a phone's clock may run a little ahead or behind


def minute_text(moment: datetime | None, empty: str = "—") -> str:
    """A moment as people read it in documents and notices: local time, to the minute."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else empty


def checked_moment(
    value: Any,
    field: str,
    *,
    back: timedelta | None = None,
    ahead: timedelta | None = None,
    too_early: str = "",
    too_late: str = "",
) -> datetime:
    """`value` if it lies within `back` before now and `ahead` after it (None: no limit on
    that side but the plausible years), allowing a few minutes of clock skew; else a
    DomainError on `field` with `too_early` / `too_late` or a general message."""
    if not isinstance(value, datetime) or timezone.is_naive(value):
        raise DomainError(_("Give a date and a time."), field=field)
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise DomainError(
            _("%(year)04d is not a plausible year; check the date.") % {"year": value.year},
            field=field,
        )
    now = timezone.now()
    if ahead is not None and value > now + ahead + CLOCK_SKEW:
        raise DomainError(too_late or _("This time is too far ahead; check the date."), field=field)
    if back is not None and value < now - back - CLOCK_SKEW:
        raise DomainError(too_early or _("This time is too far back; check the date."), field=field)
    return value
