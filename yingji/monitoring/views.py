"""Monitoring pages: assets with their latest figures and alerts, the alerts list, and an
alert with acknowledge, noise and "report as emergency"."""

from __future__ import annotations

from typing import Any

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
from yingji.monitoring import services
from yingji.monitoring.charts import WINDOWS, asset_charts
from yingji.monitoring.choices import AlertStatus
from yingji.monitoring.forms import AssetForm, CheckForm, RuleForm, SilenceForm
from yingji.monitoring.inventory import import_assets, inventory_workbook
from yingji.monitoring.models import Alert, Check, Rule, Series
from yingji.monitoring.queries import (
    can_read,
    can_read_own,
    firing_alerts,
    get_alert_for,
    get_asset_for,
    get_rule_for,
    visible_alerts,
    visible_assets,
)

PAGE = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHARTS = 24  # series drawn on an asset's page; the table lists the rest


@login_required
def asset_list(request: HttpRequest) -> HttpResponse:
    if not can_read_own(request.user):
        raise PermissionDenied
    assets = list(visible_assets(request.user)[:500])
    firing: dict[int, list[Alert]] = {}
    for alert in firing_alerts(request.user):
        firing.setdefault(alert.asset_id, []).append(alert)
    context = {
        "rows": [(a, firing.get(a.pk, [])) for a in assets],
        "can_manage": services.can_manage(request.user),
        "firing_count": sum(len(v) for v in firing.values()),
    }
    return render(request, "monitoring/assets.html", context)


@login_required
def asset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    asset = get_asset_for(request.user, pk)
    series = list(Series.objects.filter(asset=asset)[:300])
    window = request.GET.get("window", "1h")
    window = window if window in WINDOWS else "1h"
    context = {
        "asset": asset,
        "series": series,
        "charts": asset_charts(series[:CHARTS], timezone.now(), window),
        "window": window,
        "checks": asset.checks.all(),
        "alerts": visible_alerts(request.user).filter(asset=asset)[:20],
        "silences": asset.silences.all()[:5],
        "silence_form": SilenceForm(),
        "can_manage": services.can_manage(request.user),
        "token": request.session.pop("agent_token", None),
    }
    return render(request, "monitoring/asset.html", context)


@login_required
@require_POST
def asset_token(request: HttpRequest, pk: int) -> HttpResponse:
    """A new agent token, shown once on the next page (kept in the session until then)."""
    asset = get_asset_for(request.user, pk)
    issue = lambda: services.agent_token_issue(actor=request.user, asset=asset)  # noqa: E731
    token = flash_outcome(request, issue, _("A new agent token was made; the old one is void."))
    if token:
        request.session["agent_token"] = token
    return redirect("monitoring:asset", pk=pk)


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    if not can_read_own(request.user):
        raise PermissionDenied
    status = request.GET.get("status", AlertStatus.FIRING)
    alerts = visible_alerts(request.user)
    if status in AlertStatus.values:
        alerts = alerts.filter(status=status)
    context = {"alerts": alerts[:PAGE], "status": status, "statuses": AlertStatus.choices}
    return render(request, "monitoring/alerts.html", context)


@login_required
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_alert_for(request.user, pk)
    context = {"alert": alert, "can_act": services.can_act(request.user, alert)}
    return render(request, "monitoring/alert.html", context)


@login_required
@require_POST
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_alert_for(request.user, pk)
    flash_outcome(
        request,
        lambda: services.alert_acknowledge(actor=request.user, alert=alert),
        _("Acknowledged: the repeats have stopped."),
    )
    return redirect("monitoring:alert", pk=pk)


@login_required
@require_POST
def alert_noise(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_alert_for(request.user, pk)
    reason = request.POST.get("reason", "")[:500]
    flash_outcome(
        request,
        lambda: services.alert_mark_noise(actor=request.user, alert=alert, reason=reason),
        _("Marked as noise."),
    )
    if not reason.strip():
        messages.info(request, _("Say why this alert is noise."))
    return redirect("monitoring:alert", pk=pk)


def _require_manager(request: HttpRequest) -> None:
    if not services.can_manage(request.user):
        raise PermissionDenied


@login_required
def asset_create(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = AssetForm(request.POST or None)
    if request.method == "POST":
        asset = save_form(form, lambda data: services.asset_create(actor=request.user, **data))
        if asset is not None:
            messages.success(request, _("Saved."))
            return redirect("monitoring:asset", pk=asset.pk)
    return render(request, "monitoring/form.html", {"form": form, "title": _("New asset")})


@login_required
def check_create(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    asset = get_asset_for(request.user, pk)
    form = CheckForm(request.POST or None)
    if request.method == "POST":
        check = save_form(
            form,
            lambda _data: services.check_create(
                actor=request.user, asset=asset, **form.service_fields()
            ),
        )
        if check is not None:
            messages.success(request, _("Saved. The engine runs it now and then on schedule."))
            return redirect("monitoring:asset", pk=pk)
    title = _("New check for %(asset)s") % {"asset": asset.name}
    return render(request, "monitoring/form.html", {"form": form, "title": title})


@login_required
def check_edit(request: HttpRequest, pk: int, check_pk: int) -> HttpResponse:
    _require_manager(request)
    asset = get_asset_for(request.user, pk)
    check = get_object_or_404(Check, pk=check_pk, asset=asset)
    form = CheckForm(request.POST or None, editing=check)
    if request.method == "POST":

        def change(_data: dict[str, Any]) -> Check:
            fields = form.service_fields()
            del fields["kind"]
            return services.check_update(actor=request.user, check=check, **fields)

        if save_form(form, change) is not None:
            messages.success(request, _("Saved. The engine runs it now with the new settings."))
            return redirect("monitoring:asset", pk=pk)
    title = _("Check %(name)s of %(asset)s") % {"name": check.name, "asset": asset.name}
    return render(request, "monitoring/form.html", {"form": form, "title": title})


@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    """The rules; managers write a new one, preview what it would have done in the last 24
    hours, and save it."""
    if not can_read(request.user):
        raise PermissionDenied
    manager = services.can_manage(request.user)
    if request.method == "POST" and not manager:
        raise PermissionDenied
    form = RuleForm(request.POST or None) if manager else None
    preview = None
    if request.method == "POST" and form is not None:
        if "preview" in request.POST:
            rule = save_form(form, lambda data: services.rule_checked(actor=request.user, **data))
            if rule is not None:
                preview = services.rule_preview(rule=rule, now=timezone.now())
        else:
            saved = save_form(form, lambda data: services.rule_create(actor=request.user, **data))
            if saved is not None:
                messages.success(request, _("Rule saved; the engine evaluates it from now on."))
                return redirect("monitoring:rules")
    context = {
        "rules": Rule.objects.select_related("asset").order_by("name")[:500],
        "form": form,
        "preview": preview,
    }
    return render(request, "monitoring/rules.html", context)


@login_required
def asset_import(request: HttpRequest) -> HttpResponse:
    """The inventory from an .xlsx workbook; new codes are added, known ones left alone."""
    _require_manager(request)
    error, report = "", None
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise DomainError(_("Choose a workbook."), field="file")
            report = import_assets(actor=request.user, content=upload.read())
        except DomainError as exc:
            error = str(exc.message)
    status = 400 if error else 200
    return render(
        request, "monitoring/import.html", {"error": error, "report": report}, status=status
    )


@login_required
def asset_export(request: HttpRequest) -> HttpResponse:
    if not can_read(request.user):
        raise PermissionDenied
    response = HttpResponse(inventory_workbook(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="yingji-assets.xlsx"'
    return response


def _flag(request: HttpRequest) -> bool:
    return request.POST.get("on") == "1"


@login_required
@require_POST
def rule_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    if not can_read(request.user):
        raise PermissionDenied
    rule = get_rule_for(request.user, pk)  # the service refuses a non-manager, with a message
    on = _flag(request)
    switch = lambda: services.rule_set_enabled(actor=request.user, rule=rule, enabled=on)  # noqa: E731
    flash_outcome(request, switch, _("Rule switched on.") if on else _("Rule switched off."))
    return redirect("monitoring:rules")


@login_required
@require_POST
def check_toggle(request: HttpRequest, pk: int, check_pk: int) -> HttpResponse:
    asset = get_asset_for(request.user, pk)
    check = get_object_or_404(Check, pk=check_pk, asset=asset)
    on = _flag(request)
    switch = lambda: services.check_set_enabled(actor=request.user, check=check, enabled=on)  # noqa: E731
    flash_outcome(request, switch, _("Check switched on.") if on else _("Check switched off."))
    return redirect("monitoring:asset", pk=pk)


@login_required
@require_POST
def asset_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    asset = get_asset_for(request.user, pk)
    on = _flag(request)
    switch = lambda: services.asset_set_active(actor=request.user, asset=asset, active=on)  # noqa: E731
    flash_outcome(request, switch, _("Asset back in service.") if on else _("Asset retired."))
    return redirect("monitoring:asset", pk=pk)


@login_required
@require_POST
def silence_add(request: HttpRequest, pk: int) -> HttpResponse:
    asset = get_asset_for(request.user, pk)
    form = SilenceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the start, the end and what the maintenance is."))
        return redirect("monitoring:asset", pk=pk)
    flash_outcome(
        request,
        lambda: services.silence_create(actor=request.user, asset=asset, **form.cleaned_data),
        _("Maintenance window set."),
    )
    return redirect("monitoring:asset", pk=pk)


@login_required
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a rule; as for a new one, preview the last 24 hours before saving."""
    rule = get_rule_for(request.user, pk, write=True)
    initial = {f.name: getattr(rule, f.name) for f in rule._meta.fields}
    form = RuleForm(request.POST or None, initial=initial)
    preview = None
    if request.method == "POST":
        if "preview" in request.POST:
            checked = save_form(
                form, lambda data: services.rule_checked(actor=request.user, **data)
            )
            if checked is not None:
                preview = services.rule_preview(rule=checked, now=timezone.now())
        elif (
            save_form(
                form, lambda data: services.rule_update(actor=request.user, rule=rule, **data)
            )
            is not None
        ):
            messages.success(request, _("Rule changed."))
            return redirect("monitoring:rules")
    context = {"form": form, "preview": preview, "rule": rule}
    return render(request, "monitoring/rule_form.html", context)
