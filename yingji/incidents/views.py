"""Incident pages: report on a phone, the list, and the incident with its next step."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.core.errors import AccessDenied, DomainError
from yingji.core.files import file_response
from yingji.core.flash import flash_outcome
from yingji.core.paging import keyset_page
from yingji.core.word import DOCX
from yingji.incidents import services
from yingji.incidents.command import command_context
from yingji.incidents.export import EXPORT_ROWS, incident_docx, incidents_xlsx
from yingji.incidents.filters import IncidentFilter
from yingji.incidents.forms import JudgementForm, ReportForm
from yingji.incidents.models import Attachment, Incident
from yingji.incidents.queries import get_incident_for, my_tasks, visible_incidents
from yingji.incidents.sources import report_initial, report_made

PAGE_SIZE = 50


@login_required
def incident_list(request: HttpRequest) -> HttpResponse:
    """Newest first, a page at a time by a cursor (the last row's time and id): the same
    cost on the first page and the thousandth, and no COUNT over the whole table."""
    filters = IncidentFilter(request.GET, queryset=visible_incidents(request.user))
    incidents = filters.qs.select_related("department")
    page = keyset_page(incidents, request, size=PAGE_SIZE, newest="reported_at")
    context = {
        "page": page,
        "rows": page.rows,
        "next_cursor": page.next_cursor,
        "filters": filters.form,
        "query": page.query,  # the pager keeps the filters
    }
    return render(request, "incidents/list.html", context)


@login_required
def report(request: HttpRequest) -> HttpResponse:
    initial = report_initial(request.user, request.GET)  # from an alert (incidents.sources)
    form = ReportForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.incident_report(actor=request.user, **form.cleaned_data)
        except AccessDenied:
            raise
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            report_made(request.user, request.GET, incident)
            messages.success(request, _("Reported. Your department head has been told."))
            return redirect("incidents:detail", pk=incident.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "incidents/report.html", {"form": form}, status=status)


@login_required
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The command page: the next step for this user, the live picture, the evidence."""
    incident = get_incident_for(request.user, pk)
    return render(request, "incidents/detail.html", command_context(request, incident))


@login_required
def incident_live(request: HttpRequest, pk: int) -> HttpResponse:
    """The parts of the command page that change while people work (polled by the page)."""
    incident = get_incident_for(request.user, pk)
    return render(request, "incidents/_live.html", command_context(request, incident))


def _judge(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    incident = get_incident_for(request.user, pk)
    form = JudgementForm(request.POST)
    text = form.cleaned_data["text"] if form.is_valid() else ""
    if step == "escalate":
        flash_outcome(
            request,
            lambda: services.incident_escalate(actor=request.user, incident=incident, note=text),
            _("Escalated: the leadership group has been told."),
        )
    else:
        flash_outcome(
            request,
            lambda: services.incident_close_as_fault(
                actor=request.user, incident=incident, reason=text
            ),
            _("Closed as an ordinary fault."),
        )
    return redirect("incidents:detail", pk=incident.pk)


@login_required
@require_POST
def escalate(request: HttpRequest, pk: int) -> HttpResponse:
    return _judge(request, pk, "escalate")


@login_required
@require_POST
def close_as_fault(request: HttpRequest, pk: int) -> HttpResponse:
    return _judge(request, pk, "close_as_fault")


@login_required
def my_task_list(request: HttpRequest) -> HttpResponse:
    """Open tasks assigned to me across incidents (R-HANDLE-1), the most urgent first."""
    return render(request, "incidents/my_tasks.html", {"tasks": my_tasks(request.user)[:200]})


@login_required
def attachment(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    """A file, only for those who may see its incident. Pictures show in the page; anything
    else downloads, and the browser may not guess another type (nosniff)."""
    return attachment_response(get_incident_for(request.user, pk), attachment_pk)


def attachment_response(incident: Incident, attachment_pk: Any) -> HttpResponse:
    found = get_object_or_404(Attachment, pk=attachment_pk, incident=incident)
    return file_response(found.name, found.content_type, bytes(found.data))


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def incident_list_export(request: HttpRequest) -> HttpResponse:
    """The list as filtered on the page, as a workbook (what the user may see, newest first)."""
    filters = IncidentFilter(request.GET, queryset=visible_incidents(request.user))
    rows = filters.qs.select_related("department").order_by("-reported_at", "-pk")
    content = incidents_xlsx(rows[:EXPORT_ROWS].iterator(chunk_size=500))
    name = f"incidents-{timezone.localdate():%Y%m%d}.xlsx"
    return file_download(content, XLSX, name)


@login_required
def incident_report_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """One incident as a Word report: facts, key times, decisions, plan, tasks, progress,
    timeline."""
    incident = get_incident_for(request.user, pk)
    return file_download(incident_docx(incident), DOCX, f"incident-{incident.pk}.docx")


def file_download(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
