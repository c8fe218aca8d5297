"""R-REV-1: the summary report, written section by section by the groups, sent to the
leadership group, approved only when every required section is written, then published to
staff (a confidential incident's to its participants only)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.audit.services import audit_record, audited_update
from yingji.core.access import require
from yingji.core.actors import Actor, person_user
from yingji.core.errors import DomainError
from yingji.core.moments import minute_text
from yingji.incidents.models import Incident
from yingji.notify.services import notify
from yingji.org.choices import GroupKind, PersonStatus
from yingji.org.models import Person
from yingji.org.queries import group_members
from yingji.recovery import queries
from yingji.recovery.choices import ReportStatus, section_title
from yingji.recovery.models import SummaryReport, SummarySection

IMPACT_FIELDS = (
    "customers_affected",
    "failed_transactions",
    "records_affected",
    "calls_received",
    "regulator_reports",
)
MAX_NUMBER = 10**15


def _locked(report: SummaryReport) -> SummaryReport:
    return (
        SummaryReport.objects.select_for_update(of=("self",))
        .select_related("incident")
        .get(pk=report.pk)
    )


def _check_draft(report: SummaryReport) -> None:
    if report.status != ReportStatus.DRAFT:
        raise DomainError(
            _("The report is %(status)s; it changes only as a draft.")
            % {"status": report.get_status_display()},
            code="conflict",
        )


@transaction.atomic
def section_save(
    *, actor: Actor, section: SummarySection, text: str, revision: int | None = None
) -> SummarySection:
    """A group writes its section; `revision` (the report's, as read) refuses a save over
    someone else's newer one."""
    report = _locked(section.report)
    section = SummarySection.objects.get(pk=section.pk)
    section.report = report
    require(
        section.author in queries.authors_of(actor, report),
        _("This section is written by the %(group)s.") % {"group": section.get_author_display()},
    )
    _check_draft(report)
    if revision is not None and revision != report.revision:
        raise DomainError(
            _("Someone saved the report meanwhile; reload it and write again."), code="conflict"
        )
    text = str(text or "").strip()
    if len(text) > 50_000:
        raise DomainError(_("At most %(n)d characters.") % {"n": 50_000}, field="text")
    audited_update(
        actor=actor,
        instance=section,
        changes={"text": text, "updated_by": person_user(actor), "updated_at": timezone.now()},
        action="recovery.summary.section",
        regulation="R-REV-1",
    )
    _bump(report)
    return section


def _bump(report: SummaryReport) -> None:
    report.revision += 1
    report.save(update_fields=["revision"])


@transaction.atomic
def impact_save(
    *,
    actor: Actor,
    report: SummaryReport,
    interruptions: Iterable[Mapping[str, Any]] | None = None,
    **numbers: Any,
) -> SummaryReport:
    """The impact table: numbers, and minutes of interruption per business."""
    report = _locked(report)
    require(
        bool(queries.authors_of(actor, report)),
        _("Only the groups writing the report change its impact table."),
    )
    _check_draft(report)
    unknown = set(numbers) - set(IMPACT_FIELDS)
    if unknown:
        raise DomainError(_("Unknown field."), field=sorted(unknown)[0])
    changes: dict[str, Any] = {}
    for name, value in numbers.items():
        changes[name] = _number(value, name)
    if interruptions is not None:
        changes["interruptions"] = _interruptions(interruptions)
    audited_update(
        actor=actor,
        instance=report,
        changes=changes,
        action="recovery.summary.impact",
        regulation="R-REV-1",
    )
    _bump(report)
    return report


def _number(value: Any, field: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not str(value).strip().isdigit() or int(value) > MAX_NUMBER:
        raise DomainError(_("A whole number of 0 or more."), field=field)
    return int(value)


def _interruptions(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    kept = []
    for number, row in enumerate(rows, start=1):
        business = str(row.get("business") or "").strip()
        if not business:
            continue
        minutes = _number(row.get("minutes"), "interruptions")
        if minutes is None:
            raise DomainError(
                _("Row %(n)d: give the minutes %(business)s was interrupted.")
                % {"n": number, "business": business},
                field="interruptions",
            )
        kept.append({"business": business[:100], "minutes": minutes})
    if len(kept) > 50:
        raise DomainError(_("At most 50 businesses."), field="interruptions")
    return kept


def missing_sections(report: SummaryReport) -> list[SummarySection]:
    return [s for s in report.sections.all() if s.required and not s.text.strip()]


def _check_complete(report: SummaryReport) -> None:
    missing = missing_sections(report)
    if missing:
        raise DomainError(
            _("These required sections are empty: %(sections)s.")
            % {"sections": "; ".join(str(section_title(s.key)) for s in missing)},
            field="sections",
        )


@transaction.atomic
def report_submit(*, actor: Actor, report: SummaryReport) -> SummaryReport:
    """Draft → in review: the leadership group is asked to approve."""
    report = _locked(report)
    require(
        queries.can_steer_report(actor, report),
        _("The report's owner, the leadership group or the office sends it to review."),
    )
    _check_draft(report)
    _check_complete(report)
    audited_update(
        actor=actor,
        instance=report,
        changes={
            "status": ReportStatus.IN_REVIEW,
            "submitted_at": timezone.now(),
            "return_comment": "",
        },
        action="recovery.summary.submit",
        regulation="R-REV-1",
    )
    _tell(report, "recovery.summary_submitted", group_members(GroupKind.LEADERSHIP))
    return report


@transaction.atomic
def report_return(*, actor: Actor, report: SummaryReport, comment: str) -> SummaryReport:
    report = _locked(report)
    require(queries.leads(actor), _("Only the leadership group approves or returns the report."))
    if report.status != ReportStatus.IN_REVIEW:
        raise DomainError(_("Only a report in review is returned."), code="conflict")
    if not comment.strip():
        raise DomainError(_("Say what must change."), field="comment")
    audited_update(
        actor=actor,
        instance=report,
        changes={"status": ReportStatus.DRAFT, "return_comment": comment.strip()},
        action="recovery.summary.return",
        reason=comment,
        regulation="R-REV-1",
    )
    if report.owner is not None:
        _tell(report, "recovery.summary_returned", [report.owner], comment=comment.strip())
    return report


@transaction.atomic
def report_approve(*, actor: Actor, report: SummaryReport) -> SummaryReport:
    """R-REV-1: approved by the leadership group, with every required section written."""
    report = _locked(report)
    require(queries.leads(actor), _("Only the leadership group approves or returns the report."))
    if report.status not in (ReportStatus.DRAFT, ReportStatus.IN_REVIEW):
        raise DomainError(_("The report is already approved."), code="conflict")
    _check_complete(report)
    audited_update(
        actor=actor,
        instance=report,
        changes={
            "status": ReportStatus.APPROVED,
            "approved_by": person_user(actor),
            "approved_at": timezone.now(),
        },
        action="recovery.summary.approve",
        regulation="R-REV-1",
    )
    review = getattr(report.incident, "review", None)
    if review is not None and review.owner is not None:
        _tell(report, "recovery.review_due", [review.owner], due=minute_text(review.due_at))
    return report


@transaction.atomic
def report_publish(*, actor: Actor, report: SummaryReport) -> SummaryReport:
    """Shared with staff for their review (R-REV-2); a confidential incident's summary goes
    to its participants only."""
    report = _locked(report)
    require(
        queries.leads(actor) or queries.coordinates(actor),
        _("The leadership group or its office publishes the report."),
    )
    if report.status != ReportStatus.APPROVED:
        raise DomainError(_("Publish the report once it is approved."), code="conflict")
    audited_update(
        actor=actor,
        instance=report,
        changes={"status": ReportStatus.PUBLISHED, "published_at": timezone.now()},
        action="recovery.summary.publish",
        regulation="R-REV-2",
    )
    incident = report.incident
    if incident.confidential:
        readers: Iterable[Person] = Person.objects.filter(
            pk__in=incident.participants.values("person")
        )
    else:
        readers = Person.objects.filter(status=PersonStatus.ACTIVE, kind="employee")
    _tell(report, "recovery.summary_published", readers)
    audit_record(
        actor=actor,
        action="recovery.summary.shared",
        obj=report,
        after={"readers": "participants" if incident.confidential else "staff"},
        regulation="R-REV-2",
    )
    return report


def _tell(report: SummaryReport, event: str, people: Iterable[Person], **context: Any) -> None:
    incident: Incident = report.incident
    notify(
        event=event,
        context={
            "incident": incident.pk,
            "title": "" if incident.confidential else incident.title,
            **context,
        },
        recipients=list(people),
        link=f"/recovery/summaries/{report.pk}/",
        key=f"recovery:summary:{report.pk}:{event}:{report.revision}:{timezone.now().isoformat()}",
    )
