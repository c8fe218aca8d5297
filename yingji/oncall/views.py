"""Pages: the rosters with who is on duty now and next, a roster's next two weeks, its
rotations and overrides, and its calendar feed."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.core.errors import DomainError
from yingji.core.flash import flash_outcome
from yingji.core.forms import save_form
from yingji.monitoring.queries import can_manage
from yingji.oncall import services
from yingji.oncall.escalation import policy_create
from yingji.oncall.forms import (
    ContactRulesForm,
    LayerForm,
    OverrideForm,
    PolicyForm,
    RosterForm,
    StepFormSet,
    SwapForm,
)
from yingji.oncall.ical import roster_ics
from yingji.oncall.models import EscalationPolicy, HolidayCalendar, Layer, Override
from yingji.oncall.queries import (
    can_read_rosters,
    get_calendar_for,
    get_roster_for,
    visible_rosters,
)
from yingji.oncall.schedule import Segment
from yingji.org.models import Person

SCHEDULE_DAYS = 14


def _readable(request: HttpRequest) -> None:
    if not can_read_rosters(request.user):
        raise PermissionDenied


@login_required
def roster_list(request: HttpRequest) -> HttpResponse:
    _readable(request)
    manager = can_manage(request.user)
    form = RosterForm(request.POST or None) if manager else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        roster = save_form(form, lambda data: services.roster_create(actor=request.user, **data))
        if roster is not None:
            return redirect("oncall:roster", pk=roster.pk)
    now = timezone.now()
    rosters = list(visible_rosters(request.user)[:100])
    on_duty = services.now_and_next_of(rosters, now)
    shifts = [(roster, *on_duty[roster.pk]) for roster in rosters]
    people = _names(s.person for _r, c, f in shifts for s in (c, f) if s)
    rows = [
        (roster, current, _name(people, current), following, _name(people, following))
        for roster, current, following in shifts
    ]
    context = {"rows": rows, "form": form, "calendars": HolidayCalendar.objects.all()[:50]}
    return render(request, "oncall/rosters.html", context)


@login_required
@require_POST
def calendar_create(request: HttpRequest) -> HttpResponse:
    name = request.POST.get("name", "")
    calendar = flash_outcome(
        request, lambda: services.calendar_create(actor=request.user, name=name), _("Saved.")
    )
    return redirect("oncall:calendar", pk=calendar.pk) if calendar else redirect("oncall:rosters")


def _name(people: dict[int, str], segment: Segment | None) -> str | None:
    return people.get(segment.person) if segment and segment.person else None


def _names(ids: object) -> dict[int, str]:
    wanted = {i for i in ids if i}  # type: ignore[attr-defined]
    return dict(Person.objects.filter(pk__in=wanted).values_list("pk", "full_name"))


@login_required
def roster_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _readable(request)
    roster = get_roster_for(request.user, pk)
    manager = can_manage(request.user)
    layer_form = (
        LayerForm(request.POST or None)
        if manager and "add_layer" in request.POST
        else (LayerForm(initial={"start_date": timezone.localdate()}) if manager else None)
    )
    override_form = (
        OverrideForm(request.POST)
        if manager and "add_override" in request.POST
        else (OverrideForm() if manager else None)
    )
    now = timezone.now()
    segments = services.roster_timeline(roster, now, now + timedelta(days=SCHEDULE_DAYS))
    layers = list(roster.layers.order_by("-priority", "pk"))
    people = _names([s.person for s in segments] + [m for layer in layers for m in layer.members])
    shifts = [
        (
            s.starts_at.isoformat(),
            f"{timezone.localtime(s.starts_at):%m-%d %H:%M} {people.get(s.person, '—')}",
        )
        for s in segments
        if s.person
    ]
    swap_form = (
        SwapForm(request.POST if "swap" in request.POST else None, shifts=shifts)
        if manager
        else None
    )
    if request.method == "POST":
        if not manager:
            raise PermissionDenied
        saved = None
        if "swap" in request.POST and swap_form is not None:
            saved = save_form(
                swap_form,
                lambda data: services.shift_swap(actor=request.user, roster=roster, **data),
            )
        elif "add_layer" in request.POST and layer_form is not None:
            saved = save_form(
                layer_form,
                lambda data: services.layer_add(actor=request.user, roster=roster, **data),
            )
        elif "add_override" in request.POST and override_form is not None:
            saved = save_form(
                override_form,
                lambda data: services.override_add(actor=request.user, roster=roster, **data),
            )
        if saved is not None:
            messages.success(request, _("Saved."))
            return redirect("oncall:roster", pk=pk)
    context = {
        "roster": roster,
        "manager": manager,
        "segments": [(s, _name(people, s)) for s in segments],
        "layers": [(layer, [people.get(m, "?") for m in layer.members]) for layer in layers],
        "overrides": roster.overrides.filter(ends_at__gt=now).select_related("person")[:50],
        "layer_form": layer_form,
        "override_form": override_form,
        "days": SCHEDULE_DAYS,
        "swap_form": swap_form,
    }
    return render(request, "oncall/roster.html", context)


@login_required
@require_POST
def layer_remove(request: HttpRequest, pk: int, layer_pk: int) -> HttpResponse:
    layer = get_object_or_404(Layer, pk=layer_pk, roster_id=pk)
    flash_outcome(
        request,
        lambda: services.layer_remove(actor=request.user, layer=layer),
        _("Rotation removed."),
    )
    return redirect("oncall:roster", pk=pk)


@login_required
@require_POST
def override_remove(request: HttpRequest, pk: int, override_pk: int) -> HttpResponse:
    override = get_object_or_404(Override, pk=override_pk, roster_id=pk)
    flash_outcome(
        request,
        lambda: services.override_remove(actor=request.user, override=override),
        _("Override removed."),
    )
    return redirect("oncall:roster", pk=pk)


@login_required
def roster_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    """The next 60 days as an .ics feed."""
    _readable(request)
    roster = get_roster_for(request.user, pk)
    response = HttpResponse(
        roster_ics(roster, timezone.now()), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="roster-{roster.pk}.ics"'
    return response


@login_required
def calendar_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Holidays and make-up working days from a CSV file (date,kind,name)."""
    calendar = get_calendar_for(request.user, pk, write=True)
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise DomainError(_("Choose a file."), field="file")
            count = services.calendar_days_set(
                actor=request.user,
                calendar=calendar,
                days=services.read_calendar_csv(upload.read()),
            )
            messages.success(request, _("%(n)d days saved.") % {"n": count})
            return redirect("oncall:calendar", pk=pk)
        except DomainError as exc:
            error = str(exc.message)
    days = calendar.days.all()[:400]
    return render(
        request,
        "oncall/calendar.html",
        {"calendar": calendar, "days": days, "error": error},
        status=400 if error else 200,
    )


@login_required
def policy_list(request: HttpRequest) -> HttpResponse:
    """Escalation policies; managers write one here as up to ten steps."""
    _readable(request)
    manager = can_manage(request.user)
    if request.method == "POST" and not manager:
        raise PermissionDenied
    form = PolicyForm(request.POST or None) if manager else None
    steps = StepFormSet(request.POST or None, prefix="steps") if manager else None
    if request.method == "POST" and form is not None and steps is not None and steps.is_valid():
        rows = [dict(f.cleaned_data) for f in steps if f.cleaned_data.get("target")]
        policy = save_form(form, lambda data: policy_create(actor=request.user, steps=rows, **data))
        if policy is not None:
            messages.success(request, _("Saved."))
            return redirect("oncall:policies")
    policies = EscalationPolicy.objects.prefetch_related(
        "steps__roster", "steps__person", "steps__channel", "integrations"
    )[:100]
    return render(
        request, "oncall/policies.html", {"policies": policies, "form": form, "steps": steps}
    )


@login_required
def my_contact_rules(request: HttpRequest) -> HttpResponse:
    """Which of my channels page me, per severity."""
    person = getattr(request.user, "person", None)
    if person is None:
        raise PermissionDenied
    form = ContactRulesForm(request.POST or None, initial=ContactRulesForm.initial_of(person))
    if (
        request.method == "POST"
        and save_form(
            form,
            lambda data: services.contact_rules_set(
                actor=request.user, person=person, **ContactRulesForm.rules(data)
            ),
        )
        is not None
    ):
        messages.success(request, _("Saved."))
        return redirect("oncall:me")
    return render(request, "oncall/me.html", {"form": form})
