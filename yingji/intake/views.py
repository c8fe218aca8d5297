"""Pages: the integrations (a key shown once) and the alerts they bring in, to acknowledge
(认领) or resolve."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.core.flash import flash_outcome
from yingji.core.forms import save_form
from yingji.incidents.queries import visible_incidents
from yingji.intake import services
from yingji.intake.choices import OPEN_STATES, AlertState
from yingji.intake.forms import (
    InhibitRuleForm,
    IntegrationChangeForm,
    IntegrationForm,
    RouteForm,
    SilenceForm,
)
from yingji.intake.models import IncomingAlert, InhibitRule, IntakeSilence, Integration, Route
from yingji.intake.queries import get_incoming_for, get_integration_for, visible_incoming
from yingji.monitoring.queries import can_read
from yingji.oncall.escalation import escalation_shown

PAGE = 100


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    if not can_read(request.user):
        raise PermissionDenied
    state = request.GET.get("state", "open")
    alerts = visible_incoming(request.user)
    if state == "open":
        alerts = alerts.filter(state__in=OPEN_STATES)
    elif state in AlertState.values:
        alerts = alerts.filter(state=state)
    every = request.GET.get("every") == "1"
    if not every:  # a group is one row, its lead's, with how many more it holds
        alerts = alerts.filter(lead__isnull=True).annotate(grouped=_members_count())
    states = [("open", _("open")), *AlertState.choices, ("all", _("all"))]
    context = {"alerts": alerts[:PAGE], "state": state, "states": states, "every": every}
    return render(request, "intake/alerts.html", context)


def _members_count() -> Any:
    """Per lead on the page, its members (a correlated count, by the lead's index)."""
    members = (
        IncomingAlert.objects.filter(lead=OuterRef("pk"))
        .order_by()
        .values("lead")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(members), 0)


@login_required
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_incoming_for(request.user, pk)
    members = alert.members.order_by("started_at", "pk")
    incident = (
        visible_incidents(request.user).filter(pk=alert.incident_id).first()
        if alert.incident_id
        else None
    )
    context = {
        "alert": alert,
        "can_act": services.can_act(request.user, alert),
        "incident": incident,
        "escalation": escalation_shown(alert),
        "members": members[:GROUP_SHOWN],
        "member_count": members.count(),
    }
    return render(request, "intake/alert.html", context)


GROUP_SHOWN = 50


@login_required
@require_POST
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_incoming_for(request.user, pk)
    flash_outcome(
        request,
        lambda: services.alert_acknowledge(actor=request.user, alert=alert),
        _("Acknowledged: you are on it."),
    )
    return redirect("intake:alert", pk=pk)


@login_required
@require_POST
def alert_snooze(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_incoming_for(request.user, pk)
    try:
        minutes = int(request.POST.get("minutes", ""))
    except ValueError:
        minutes = 0
    flash_outcome(
        request,
        lambda: services.alert_snooze(actor=request.user, alert=alert, minutes=minutes),
        _("Snoozed: the escalation waits."),
    )
    return redirect("intake:alert", pk=pk)


@login_required
@require_POST
def alert_noise(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_incoming_for(request.user, pk)
    reason = request.POST.get("reason", "")
    flash_outcome(
        request,
        lambda: services.alert_mark_noise(actor=request.user, alert=alert, reason=reason),
        _("Marked as noise."),
    )
    return redirect("intake:alert", pk=pk)


@login_required
@require_POST
def alert_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_incoming_for(request.user, pk)
    flash_outcome(
        request, lambda: services.alert_resolve(actor=request.user, alert=alert), _("Resolved.")
    )
    return redirect("intake:alert", pk=pk)


@login_required
def integration_list(request: HttpRequest) -> HttpResponse:
    """The integrations; managers add one here and see its key once."""
    if not can_read(request.user):
        raise PermissionDenied
    manager = services.can_manage(request.user)
    if request.method == "POST" and not manager:
        raise PermissionDenied
    form = IntegrationForm(request.POST or None) if manager else None
    created = None
    if request.method == "POST" and form is not None:
        created = save_form(
            form, lambda data: services.integration_create(actor=request.user, **data)
        )
        if created is not None:
            form = IntegrationForm()
    return _integrations_page(request, form, created)


def _integrations_page(request: HttpRequest, form: Any, created: Any) -> HttpResponse:
    """The list, the form, a key just made (shown this once) with what to paste where, and
    which senders' rules were noise in the last 30 days."""
    noise = services.noise_by_rule(since=timezone.now() - timedelta(days=30))
    integrations = Integration.objects.select_related("escalation_policy")[:PAGE]
    context = {
        "integrations": integrations,
        "form": form,
        "created": created,
        "noise": noise,
        "base_url": request.build_absolute_uri("/").rstrip("/"),
    }
    return render(request, "intake/integrations.html", context)


@login_required
def integration_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """An integration's settings: people, policy, grouping, active."""
    integration = get_integration_for(request.user, pk, write=True)
    form = IntegrationChangeForm(request.POST or None, integration=integration)
    if (
        request.method == "POST"
        and save_form(
            form,
            lambda data: services.integration_update(
                actor=request.user, integration=integration, **data
            ),
        )
        is not None
    ):
        messages.success(request, _("Saved."))
        return redirect("intake:integrations")
    return render(
        request, "intake/integration_edit.html", {"integration": integration, "form": form}
    )


@login_required
def inhibit_rule_list(request: HttpRequest) -> HttpResponse:
    """Inhibit rules: an open alert (a data centre down) mutes the new alerts it explains."""
    return _setup_page(
        request,
        InhibitRuleForm,
        services.inhibit_rule_create,
        "intake/inhibit_rules.html",
        {"rules": InhibitRule.objects.order_by("pk")[:200]},
    )


@login_required
@require_POST
def inhibit_rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _manager_act(
        request,
        InhibitRule,
        pk,
        lambda rule: services.inhibit_rule_delete(actor=request.user, rule=rule),
        _("Inhibit rule deleted."),
        "intake:inhibit_rules",
    )


def _manager_act(
    request: HttpRequest, model: Any, pk: int, act: Any, done: str, back: str
) -> HttpResponse:
    """A manager's one-button action on one row, then back to its list."""
    if not services.can_manage(request.user):
        raise PermissionDenied
    row = get_object_or_404(model, pk=pk)
    flash_outcome(request, lambda: act(row), done)
    return redirect(back)


@login_required
@require_POST
def integration_new_key(request: HttpRequest, pk: int) -> HttpResponse:
    integration = get_integration_for(request.user, pk, write=True)
    key = services.integration_new_key(actor=request.user, integration=integration)
    return _integrations_page(request, IntegrationForm(), (integration, key))


@login_required
def route_list(request: HttpRequest) -> HttpResponse:
    """Routes: label matchers that send alerts to another escalation policy or severity."""
    routes = Route.objects.select_related("integration", "escalation_policy")[:200]
    return _setup_page(
        request, RouteForm, services.route_create, "intake/routes.html", {"routes": routes}
    )


@login_required
def silence_list(request: HttpRequest) -> HttpResponse:
    """Silences: matching new alerts are kept, nobody is paged or told, until they end."""
    recent = IntakeSilence.objects.filter(ends_at__gt=timezone.now() - timedelta(days=7))
    return _setup_page(
        request,
        SilenceForm,
        services.silence_create,
        "intake/silences.html",
        {"silences": recent.select_related("integration")[:200], "now": timezone.now()},
    )


def _setup_page(
    request: HttpRequest, form_class: Any, create: Any, template: str, context: dict[str, Any]
) -> HttpResponse:
    if not can_read(request.user):
        raise PermissionDenied
    manager = services.can_manage(request.user)
    if request.method == "POST" and not manager:
        raise PermissionDenied
    form = form_class(request.POST or None) if manager else None
    if (
        request.method == "POST"
        and form is not None
        and save_form(form, lambda data: create(actor=request.user, **data)) is not None
    ):
        messages.success(request, _("Saved."))
        return redirect(request.path)
    return render(request, template, {**context, "form": form})


@login_required
@require_POST
def silence_expire(request: HttpRequest, pk: int) -> HttpResponse:
    return _manager_act(
        request,
        IntakeSilence,
        pk,
        lambda silence: services.silence_expire(actor=request.user, silence=silence),
        _("Silence ended."),
        "intake:silences",
    )
