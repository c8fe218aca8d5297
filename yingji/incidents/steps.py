"""The command page's buttons: each POST checks its form, calls one service and comes back
to the page with the outcome (a rule's refusal as a message, never a 500)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.core.flash import flash_outcome
from yingji.incidents import forms, services
from yingji.incidents.choices import TASK_OPEN
from yingji.incidents.models import Incident, Task
from yingji.incidents.queries import get_incident_for
from yingji.org.choices import PersonStatus
from yingji.org.models import Person
from yingji.plans.queries import approved_for


def _step(
    request: HttpRequest,
    pk: int,
    form_class: type[django_forms.Form],
    call: Callable[[Incident, dict[str, Any]], Any],
    success: str,
    anchor: str = "",
    **form_kwargs: Any,
) -> HttpResponse:
    incident = get_incident_for(request.user, pk)
    form = form_class(request.POST, **form_kwargs)
    if form.is_valid():
        flash_outcome(request, lambda: call(incident, form.cleaned_data), success)
    else:
        messages.error(request, _form_errors(form))
    return redirect(f"/incidents/{incident.pk}/{anchor}")


def _form_errors(form: django_forms.Form) -> str:
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        words = " ".join(str(error) for error in errors)
        parts.append(f"{label}: {words}" if label else words)
    return "; ".join(parts)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """R-ACT-1: the criteria and attendees are checked by the service, not the form (the
    form's choices depend on the moment the page was drawn)."""
    incident = get_incident_for(request.user, pk)
    form = forms.DecisionForm(
        request.POST,
        people=_all_people(),
        criteria=_posted_criteria(request),
        plans=approved_for(incident.category),
    )
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("incidents:detail", pk=incident.pk)
    data = form.cleaned_data
    flash_outcome(
        request,
        lambda: services.incident_decide(actor=request.user, incident=incident, **data),
        _("Decision recorded; everyone concerned is being told."),
    )
    return redirect("incidents:detail", pk=incident.pk)


def _all_people() -> Any:
    """Choices are checked by the services (active, taking part); the form only resolves ids."""
    return Person.objects.filter(status=PersonStatus.ACTIVE)


def _posted_criteria(request: HttpRequest) -> list[str]:
    return [c[:300] for c in request.POST.getlist("criteria_met")][:20]


@login_required
@require_POST
def set_facts(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        forms.FactsForm,
        lambda i, d: services.incident_set_facts(actor=request.user, incident=i, **d),
        _("Facts saved."),
        "#facts",
    )


@login_required
@require_POST
def regrade(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        forms.RegradeForm,
        lambda i, d: services.incident_regrade(actor=request.user, incident=i, **d),
        _("Grade changed."),
        "#facts",
    )


@login_required
@require_POST
def handling_plan(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        forms.HandlingPlanForm,
        lambda i, d: services.handling_plan_revise(actor=request.user, incident=i, **d),
        _("Handling plan saved and announced."),
        "#handling",
    )


@login_required
@require_POST
def task_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        forms.TaskForm,
        lambda i, d: services.task_create(actor=request.user, incident=i, **d),
        _("Task assigned."),
        "#tasks",
        people=_all_people(),
    )


@login_required
@require_POST
def task_update(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    incident = get_incident_for(request.user, pk)
    task = get_object_or_404(Task.objects.select_related("incident"), pk=task_pk, incident=incident)
    form = forms.TaskUpdateForm(request.POST, task=task, prefix=f"t{task.pk}")
    if form.is_valid():
        data = form.cleaned_data
        flash_outcome(
            request,
            lambda: services.task_update(actor=request.user, task=task, **data),
            _("Task updated."),
        )
    else:
        messages.error(request, _form_errors(form))
    return redirect(f"/incidents/{incident.pk}/#tasks")


@login_required
@require_POST
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        forms.ProgressForm,
        lambda i, d: services.progress_report(actor=request.user, incident=i, **d),
        _("Progress reported to the leadership and expert groups."),
        "#progress",
    )


@login_required
@require_POST
def support(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        forms.SupportForm,
        lambda i, d: services.support_request(actor=request.user, incident=i, **d),
        _("The expert group has been asked."),
        "#progress",
    )


@login_required
@require_POST
def participant_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        forms.ParticipantForm,
        lambda i, d: services.participant_add(
            actor=request.user, incident=i, person=d["who"], role=d["role"]
        ),
        _("Added and told."),
        "#participants",
    )


@login_required
@require_POST
def recommend_end(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_incident_for(request.user, pk)
    return _step(
        request,
        pk,
        forms.EvaluationForm,
        lambda i, d: services.incident_recommend_end(actor=request.user, incident=i, **d),
        _("End recommended; the leadership group has been told."),
        tasks=incident.tasks.filter(status__in=TASK_OPEN),
    )


@login_required
@require_POST
def end(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        forms.EndForm,
        lambda i, d: services.incident_end(actor=request.user, incident=i, **d),
        _("The end is ordered; everyone is being told."),
    )


@login_required
@require_POST
def resume(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        forms.ResumeForm,
        lambda i, d: services.incident_resume(actor=request.user, incident=i, **d),
        _("Sent back to handling."),
    )


@login_required
@require_POST
def attach(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_incident_for(request.user, pk)
    form = forms.AttachmentForm(request.POST, request.FILES)
    files = form.cleaned_data["attachments"] if form.is_valid() else []
    flash_outcome(
        request,
        lambda: services.attachment_add(actor=request.user, incident=incident, files=files),
        _("Files attached."),
    )
    return redirect(f"/incidents/{incident.pk}/#attachments")
