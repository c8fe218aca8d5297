"""An incident as a Word report, and the incident list as a workbook: what an auditor or a
regulator is sent (R-REV-1 starts from it)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core.moments import minute_text
from yingji.core.word import WordDocument
from yingji.core.workbooks import workbook_bytes
from yingji.incidents.command import DURATION_LABELS, KEY_TIME_LABELS, took
from yingji.incidents.models import Incident

EXPORT_ROWS = 10_000  # one workbook; narrow the filters for more


_when = minute_text


def _who(user: Any) -> str:
    if user is None:
        return _("Yingji")
    person = getattr(user, "person", None)
    return person.full_name if person else user.get_username()


def incident_docx(incident: Incident) -> bytes:
    number = _("Incident report #%(n)s") % {"n": incident.pk}
    document = WordDocument(title=f"#{incident.pk} {incident.title}", number=number, subject=number)
    document.heading(f"#{incident.pk} {incident.title}", level=0)
    document.facts(_facts(incident))
    document.contents()
    document.heading(_("Key times"), level=1)
    document.facts(
        [(str(KEY_TIME_LABELS[n]), _when(at)) for n, at in incident.key_times().items() if at]
        + [
            (str(DURATION_LABELS[n]), took(s))
            for n, s in incident.durations().items()
            if s is not None
        ]
    )
    document.heading(_("The report"), level=1)
    document.lines([incident.symptoms, incident.scope, incident.affected_systems])
    _decisions(document, incident)
    _handling(document, incident)
    _tasks(document, incident)
    _progress(document, incident)
    _timeline(document, incident)
    return document.content()


def _facts(incident: Incident) -> list[tuple[str, str]]:
    return [
        (_("category"), incident.get_category_display()),
        (_("status"), incident.get_status_display()),
        (_("grade"), incident.get_grade_display()),
        (_("response level"), incident.get_response_level_display()),
        (_("department that judges it"), incident.department.name if incident.department else ""),
        (_("reporter"), incident.reporter.full_name if incident.reporter else ""),
        (_("location"), incident.location),
        (_("exercise (drill)"), _("yes") if incident.exercise else _("no")),
        (_("exported"), _when(timezone.now())),
    ]


def _decisions(document: WordDocument, incident: Incident) -> None:
    document.heading(_("Decisions (R-ACT-1)"), level=1)
    rows = [
        (
            _when(a.meeting_at),
            a.get_decision_display(),
            a.get_response_level_display() or "—",
            a.plans or "—",
            _who(a.decided_by),
        )
        for a in incident.assessments.select_related("decided_by__person")
    ]
    header = (_("meeting time"), _("decision"), _("response level"), _("plans activated"), _("by"))
    document.table(header, rows)


def _handling(document: WordDocument, incident: Incident) -> None:
    document.heading(_("Analysis and handling plan (R-HANDLE-1)"), level=1)
    plan = incident.handling_plans.order_by("-version").first()
    if plan is None:
        document.paragraph("—")
        return
    document.heading(_("analysis"), level=2)
    document.lines(plan.analysis.splitlines())
    document.heading(_("handling plan"), level=2)
    document.lines(plan.plan.splitlines())


def _tasks(document: WordDocument, incident: Incident) -> None:
    document.heading(_("Tasks"), level=1)
    rows = [
        (
            t.title,
            t.assignee.full_name if t.assignee else "—",
            t.get_status_display(),
            _when(t.due_at),
            t.closing_reason or "",
        )
        for t in incident.tasks.select_related("assignee")
    ]
    header = (_("task"), _("assignee"), _("status"), _("due"), _("why cancelled or carried over"))
    document.table(header, rows)


def _progress(document: WordDocument, incident: Incident) -> None:
    document.heading(_("Progress (R-HANDLE-2)"), level=1)
    rows = [
        (_when(p.at), _who(p.author), p.done, p.current, p.next_step)
        for p in incident.progress.select_related("author__person").order_by("at", "pk")
    ]
    header = (_("Time"), _("Who"), _("done so far"), _("current state"), _("next step"))
    document.table(header, rows)


def _timeline(document: WordDocument, incident: Incident) -> None:
    document.heading(_("Timeline"), level=1)
    rows = [
        (_when(e.at), _who(e.actor), str(e.action_label), e.text, e.clause)
        for e in incident.timeline.select_related("actor__person").order_by("at", "pk")
    ]
    header = (_("Time"), _("Who"), _("action"), _("text"), _("regulation clause"))
    document.table(header, rows)


def incidents_xlsx(incidents: Iterable[Incident]) -> bytes:
    """The list as filtered, newest first, one row an incident (streamed)."""
    header = [
        "#",
        _("title"),
        _("category"),
        _("status"),
        _("grade"),
        _("response level"),
        _("department that judges it"),
        _("reported"),
        _("escalated"),
        _("activated"),
        _("ended"),
        _("exercise (drill)"),
    ]

    def rows() -> Iterable[list[Any]]:
        yield header
        for i in incidents:
            yield [
                i.pk,
                i.title,
                i.get_category_display(),
                i.get_status_display(),
                i.get_grade_display(),
                i.get_response_level_display(),
                i.department.name if i.department else "",
                _when(i.reported_at),
                _when(i.escalated_at),
                _when(i.activated_at),
                _when(i.ended_at),
                _("yes") if i.exercise else "",
            ]

    return workbook_bytes([(_("incidents"), rows())])
