"""R-REV-2: the improvement register. A measure is owned by a person and closes only as
verified, with evidence, by someone other than its owner, or as not doing, for a reason the
leadership group accepts. A measure that changes a plan opens the plan's early review
(R-PLAN-3)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.audit.services import audit_record, audited_create, audited_update
from yingji.core.access import require
from yingji.core.actors import Actor, is_system, person_user, user_of
from yingji.core.errors import DomainError
from yingji.core.files import checked_files
from yingji.incidents.queries import visible_incidents
from yingji.notify.services import notify
from yingji.org.choices import GroupKind
from yingji.org.models import Person
from yingji.org.queries import group_members
from yingji.recovery import queries
from yingji.recovery.choices import (
    MEASURE_CLOSED,
    MEASURE_OPEN,
    Change,
    CiPlanStatus,
    MeasureStatus,
    Source,
)
from yingji.recovery.models import ImprovementPlan, Measure, MeasureEvidence
from yingji.recovery.services.common import checked_person, checked_text

LINKS = ("plan", "risk", "reserve_class", "rule")
EDITABLE = ("title", "details", "change", "owner", "due", *LINKS)


def checked_day(value: Any, field: str = "due") -> date:
    if not isinstance(value, date):
        raise DomainError(_("Give a due date."), field=field)
    today = timezone.localdate()
    if value < today - timedelta(days=30):
        raise DomainError(_("A due date more than 30 days ago cannot be right."), field=field)
    if value > today + timedelta(days=3 * 366):
        raise DomainError(_("A due date more than three years ahead cannot be right."), field=field)
    return value


def _links(actor: Actor, links: dict[str, Any]) -> dict[str, Any]:
    """Each link is to something the actor may see."""
    if is_system(actor):
        return links
    from yingji.monitoring.queries import visible_rules
    from yingji.plans.queries import visible_plans
    from yingji.reserves.queries import visible_classes
    from yingji.risks.queries import visible_risks

    seen = {
        "plan": visible_plans,
        "risk": visible_risks,
        "reserve_class": visible_classes,
        "rule": visible_rules,
    }
    for name, target in links.items():
        if target is not None and not seen[name](actor).filter(pk=target.pk).exists():
            raise DomainError(_("Not found, or you may not see it."), field=name)
    return links


@transaction.atomic
def measure_create(
    *,
    actor: Actor,
    title: str,
    source: str,
    change: str,
    owner: Person,
    due: date,
    details: str = "",
    source_ref: str = "",
    incident: Any = None,
    review: Any = None,
    plan: Any = None,
    risk: Any = None,
    reserve_class: Any = None,
    rule: Any = None,
) -> Measure:
    require(
        queries.can_raise_measure(actor),
        _("The office, the leadership and expert groups and department heads enter measures."),
    )
    if source not in Source.values:
        raise DomainError(_("Unknown source."), field="source")
    if change not in Change.values:
        raise DomainError(_("Say what the measure changes."), field="change")
    if source == Source.INCIDENT and incident is None:
        raise DomainError(_("Name the incident it comes from."), field="incident")
    if incident is not None and not _sees(actor, incident):
        raise DomainError(_("Not found, or you may not see it."), field="incident")
    if change == Change.PLAN and plan is None:
        raise DomainError(_("Name the plan the measure changes."), field="plan")
    links = _links(
        actor, {"plan": plan, "risk": risk, "reserve_class": reserve_class, "rule": rule}
    )
    measure = Measure(
        title=checked_text(title, "title", _("Say what will change."), 300),
        details=str(details or "").strip()[:20_000],
        source=source,
        source_ref=str(source_ref or "").strip()[:200],
        incident=incident,
        review=review,
        change=change,
        owner=checked_person(owner),
        due=checked_day(due),
        created_by=user_of(actor),
        **links,
    )
    audited_create(
        actor=actor,
        instance=measure,
        action="recovery.measure.create",
        fields=["title", "source", "incident", "change", "owner", "due", *LINKS],
        regulation="R-REV-2",
    )
    if plan is not None:
        _open_plan_review(actor, measure)
    _tell(measure, "recovery.measure_assigned", [measure.owner])
    return measure


def _sees(actor: Actor, incident: Any) -> bool:
    return is_system(actor) or visible_incidents(actor).filter(pk=incident.pk).exists()


def _open_plan_review(actor: Actor, measure: Measure) -> None:
    """R-PLAN-3: a plan an improvement measure changes is reviewed now, not next year."""
    from yingji.plans.services import review_early

    review_early(
        plan=measure.plan,  # type: ignore[arg-type]
        reason=_("Improvement measure #%(n)d: %(title)s")
        % {"n": measure.pk, "title": measure.title},
        actor=actor,
    )


def _locked(measure: Measure) -> Measure:
    return (
        Measure.objects.select_for_update(of=("self",))
        .select_related("owner", "plan")
        .get(pk=measure.pk)
    )


@transaction.atomic
def measure_update(*, actor: Actor, measure: Measure, reason: str = "", **changes: Any) -> Measure:
    """The office or the leadership group changes a measure; a new due date needs a reason
    (a deadline that moves silently is how measures are forgotten)."""
    measure = _locked(measure)
    require(
        queries.coordinates(actor) or queries.leads(actor),
        _("Only the office or the leadership group changes a measure."),
    )
    if measure.status in MEASURE_CLOSED:
        raise DomainError(_("The measure is closed."), code="conflict")
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise DomainError(_("Unknown field."), field=sorted(unknown)[0])
    checked: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "title":
            value = checked_text(value, "title", _("Say what will change."), 300)
        elif name == "owner":
            value = checked_person(value)
        elif name == "due":
            value = checked_day(value)
            if value != measure.due and not reason.strip():
                raise DomainError(_("Say why the due date moves."), field="reason")
        elif name == "change" and value not in Change.values:
            raise DomainError(_("Say what the measure changes."), field="change")
        checked[name] = value
    _links(actor, {k: v for k, v in checked.items() if k in LINKS})
    new_plan = (
        "plan" in checked
        and checked["plan"] is not None
        and (checked["plan"].pk != measure.plan_id)
    )
    if (checked.get("change", measure.change) == Change.PLAN) and (
        checked.get("plan", measure.plan) is None
    ):
        raise DomainError(_("Name the plan the measure changes."), field="plan")
    audited_update(
        actor=actor,
        instance=measure,
        changes=checked,
        action="recovery.measure.update",
        reason=reason,
        regulation="R-REV-2",
    )
    if new_plan:
        _open_plan_review(actor, measure)
    if "owner" in checked:
        _tell(measure, "recovery.measure_assigned", [measure.owner])
    return measure


def _move(
    actor: Actor, measure: Measure, status: str, action: str, reason: str = "", **more: Any
) -> None:
    audited_update(
        actor=actor,
        instance=measure,
        changes={"status": status, **more},
        action=f"recovery.measure.{action}",
        reason=reason,
        regulation="R-REV-2",
    )


def _check_status(measure: Measure, *allowed: str) -> None:
    if measure.status not in allowed:
        raise DomainError(
            _("The measure is %(status)s; this step does not apply.")
            % {"status": measure.get_status_display()},
            code="conflict",
        )


def _may_work(actor: Actor, measure: Measure) -> None:
    require(
        queries.can_work_on(actor, measure), _("Only the measure's owner or the office update it.")
    )


@transaction.atomic
def measure_start(*, actor: Actor, measure: Measure) -> Measure:
    measure = _locked(measure)
    _may_work(actor, measure)
    _check_status(measure, MeasureStatus.OPEN)
    _move(actor, measure, MeasureStatus.IN_PROGRESS, "start")
    return measure


@transaction.atomic
def measure_done(*, actor: Actor, measure: Measure, note: str) -> Measure:
    """The owner says it is done; it stays open until someone verifies it works."""
    measure = _locked(measure)
    _may_work(actor, measure)
    _check_status(measure, *MEASURE_OPEN)
    note = checked_text(note, "note", _("Say what was done."))
    _move(actor, measure, MeasureStatus.DONE, "done", done_note=note, done_at=timezone.now())
    verifiers = [p for p in _verifiers() if p.pk != measure.owner_id]
    _tell(measure, "recovery.measure_to_verify", verifiers)
    return measure


def _verifiers() -> list[Person]:
    return list(group_members(GroupKind.OFFICE))


@transaction.atomic
def evidence_add(
    *, actor: Actor, measure: Measure, files: Iterable[tuple[str, bytes]]
) -> list[MeasureEvidence]:
    measure = _locked(measure)
    require(
        queries.can_work_on(actor, measure) or queries.can_verify(actor, measure),
        _("Only the measure's owner or the office update it."),
    )
    if measure.status in MEASURE_CLOSED:
        raise DomainError(_("The measure is closed."), code="conflict")
    checked = checked_files(files)
    if not checked:
        raise DomainError(_("Choose a file."), field="files")
    saved = [
        MeasureEvidence.objects.create(
            measure=measure,
            name=name,
            content_type=kind,
            size=len(data),
            data=data,
            uploaded_by=person_user(actor),
        )
        for name, kind, data in checked
    ]
    audit_record(
        actor=actor,
        action="recovery.measure.evidence",
        obj=measure,
        after={"files": [f.name for f in saved]},
        regulation="R-REV-2",
    )
    return saved


def checked_link(link: str) -> str:
    link = str(link or "").strip()
    if link and not (link.startswith(("http://", "https://")) or link.startswith("/")):
        raise DomainError(
            _("An evidence link starts with http://, https:// or / (a page of Yingji)."),
            field="evidence_link",
        )
    return link[:500]


@transaction.atomic
def measure_verify(
    *,
    actor: Actor,
    measure: Measure,
    evidence_note: str,
    evidence_link: str = "",
    files: Iterable[tuple[str, bytes]] = (),
) -> Measure:
    """Done → verified, with evidence (a file, a link, a drill that proved it) and how it was
    checked, by the office or the leadership group, not by the measure's own owner."""
    measure = _locked(measure)
    require(
        queries.can_verify(actor, measure),
        _("The office or the leadership group verifies a measure, not its owner."),
    )
    _check_status(measure, MeasureStatus.DONE)
    link = checked_link(evidence_link)
    note = checked_text(evidence_note, "evidence_note", _("Say how the measure was verified."))
    files = list(files)
    if files:
        evidence_add(actor=actor, measure=measure, files=files)
    if not link and not measure.evidence.exists() and not measure.evidence_link:
        raise DomainError(
            _(
                "Verification needs evidence: attach a file or give a link (a document, a "
                "ticket, the drill that proved it)."
            ),
            field="evidence_link",
        )
    _move(
        actor,
        measure,
        MeasureStatus.VERIFIED,
        "verify",
        evidence_note=note,
        evidence_link=link or measure.evidence_link,
        verified_by=person_user(actor),
        verified_at=timezone.now(),
    )
    return measure


@transaction.atomic
def measure_reopen(*, actor: Actor, measure: Measure, reason: str) -> Measure:
    """Verification failed: back in progress, with what is still wrong."""
    measure = _locked(measure)
    require(
        queries.can_verify(actor, measure),
        _("The office or the leadership group verifies a measure, not its owner."),
    )
    _check_status(measure, MeasureStatus.DONE)
    reason = checked_text(reason, "reason", _("Say what is still wrong."), 2000)
    _move(actor, measure, MeasureStatus.IN_PROGRESS, "reopen", reason=reason)
    _tell(measure, "recovery.measure_reopened", [measure.owner], reason=reason)
    return measure


@transaction.atomic
def not_doing_propose(*, actor: Actor, measure: Measure, reason: str) -> Measure:
    measure = _locked(measure)
    _may_work(actor, measure)
    _check_status(measure, *MEASURE_OPEN, MeasureStatus.DONE)
    reason = checked_text(reason, "reason", _("Say why the measure will not be done."), 2000)
    audited_update(
        actor=actor,
        instance=measure,
        changes={"not_doing_proposed": True, "not_doing_reason": reason},
        action="recovery.measure.propose_not_doing",
        reason=reason,
        regulation="R-REV-2",
    )
    _tell(measure, "recovery.measure_not_doing", group_members(GroupKind.LEADERSHIP), reason=reason)
    return measure


@transaction.atomic
def not_doing_decide(*, actor: Actor, measure: Measure, accept: bool, comment: str = "") -> Measure:
    """The leadership group accepts the reason (the measure closes) or refuses it."""
    measure = _locked(measure)
    require(queries.leads(actor), _("Only the leadership group accepts not doing a measure."))
    if not measure.not_doing_proposed:
        raise DomainError(_("Nobody proposed not doing this measure."), code="conflict")
    if accept:
        _move(
            actor,
            measure,
            MeasureStatus.NOT_DOING,
            "accept_not_doing",
            reason=measure.not_doing_reason,
            not_doing_proposed=False,
            not_doing_accepted_by=person_user(actor),
        )
    else:
        comment = checked_text(
            comment, "comment", _("Say why the measure must still be done."), 2000
        )
        audited_update(
            actor=actor,
            instance=measure,
            changes={"not_doing_proposed": False},
            action="recovery.measure.refuse_not_doing",
            reason=comment,
            regulation="R-REV-2",
        )
        _tell(measure, "recovery.measure_reopened", [measure.owner], reason=comment)
    return measure


# ---------------------------------------------------------------- the continuous-improvement plan


def period(year: int, quarter: int | None) -> tuple[date, date]:
    if quarter is None:
        return date(year, 1, 1), date(year, 12, 31)
    if quarter not in (1, 2, 3, 4):
        raise DomainError(_("A quarter is 1 to 4."), field="quarter")
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1) - timedelta(days=1)
    return start, end


def plan_measures(user: Any, year: int, quarter: int | None) -> Any:
    start, end = period(year, quarter)
    return queries.visible_measures(user).filter(due__gte=start, due__lte=end).order_by("due", "pk")


@transaction.atomic
def ci_plan_approve(
    *, actor: Actor, year: int, quarter: int | None, note: str = ""
) -> ImprovementPlan:
    """R-REV-2: the leadership group approves the year's (or quarter's) plan; the measures it
    held are kept, so a later addition shows as such."""
    require(queries.leads(actor), _("Only the leadership group approves the improvement plan."))
    if not 2000 <= year <= 2100:
        raise DomainError(_("Give a plausible year."), field="year")
    measures = list(plan_measures(actor, year, quarter).values_list("pk", flat=True))
    if not measures:
        raise DomainError(_("The plan holds no measures yet."), code="conflict")
    plan, _created = ImprovementPlan.objects.select_for_update().get_or_create(
        year=year, quarter=quarter
    )
    audited_update(
        actor=actor,
        instance=plan,
        changes={
            "status": CiPlanStatus.APPROVED,
            "measure_ids": measures,
            "note": note.strip()[:2000],
            "approved_by": person_user(actor),
            "approved_at": timezone.now(),
        },
        action="recovery.ci_plan.approve",
        regulation="R-REV-2",
    )
    return plan


def _tell(measure: Measure, event: str, people: Iterable[Person], **context: Any) -> None:
    people = [p for p in people if p is not None]
    if not people:
        return
    incident = measure.incident
    notify(
        event=event,
        context={
            "number": measure.pk,
            "title": measure.title if not (incident and incident.confidential) else "",
            "due": measure.due.isoformat(),
            **context,
        },
        recipients=people,
        link=f"/improvements/{measure.pk}/",
        key=f"recovery:measure:{measure.pk}:{event}:{timezone.now().isoformat()}",
    )
