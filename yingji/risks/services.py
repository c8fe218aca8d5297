"""The quarterly risk assessment's rules (R-RISK-1): matrices, the quarter's campaign and its
assessments carried over from last quarter, the risk register with its three scores, the
quality checks before submission, the leadership group's review and acceptances, and R&D
projects that may not go live before their technical risks are approved."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.audit.services import audit_record, audited_create, audited_update
from yingji.core.actors import Actor, is_system, person_user, user_of
from yingji.core.errors import AccessDenied, DomainError
from yingji.monitoring.models import Asset
from yingji.notify.services import notify
from yingji.org.choices import DepartmentKind, GroupKind, PersonStatus
from yingji.org.models import Department, Person
from yingji.org.queries import group_members
from yingji.risks import queries
from yingji.risks.choices import (
    EDITABLE,
    CampaignKind,
    Family,
    Knowledge,
    Mark,
    ProjectStatus,
    Status,
    Treatment,
    transition_for,
)
from yingji.risks.links import LINK_KINDS
from yingji.risks.matrices import SHIPPED, checked_definition
from yingji.risks.models import (
    Acceptance,
    Assessment,
    Campaign,
    Policy,
    Project,
    ReviewComment,
    Risk,
    RiskLink,
    RiskMatrix,
)
from yingji.risks.quality import Finding, blocking, quality_check
from yingji.risks.quarters import due_in_quarter, quarter_of

SCORES = ("inherent", "current", "residual")
SCORE_FIELDS = tuple(f"{s}_{axis}" for s in SCORES for axis in ("likelihood", "impact"))
TEXT_FIELDS = ("title", "description", "existing_measures", "knowledge_note", "treatment_plan")
RISK_FIELDS = (
    *TEXT_FIELDS,
    *SCORE_FIELDS,
    "family",
    "knowledge",
    "treatment",
    "owner",
    "treatment_due",
    "treatment_done",
    "assets",
)
# What a re-scoring compares with last quarter's risk to mark it changed or unchanged.
COMPARED = (*SCORE_FIELDS, "treatment")
MAX_ACCEPTANCE = timedelta(days=366 * 2)
MAX_RISKS = 2000


class QualityErrors(DomainError):
    """A submission refused by the quality checks: every blocking finding, for the page and
    the API to list (R-RISK-1)."""

    def __init__(self, findings: list[Finding]):
        super().__init__(
            _("The assessment has %(n)d blocking problems; fix them and submit again.")
            % {"n": len(findings)},
            code="quality",
        )
        self.findings = findings

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "findings": [f.as_dict() for f in self.findings]}


# ---------------------------------------------------------------- matrices and the policy


def shipped_matrix(key: str = "5x5") -> RiskMatrix:
    """One of the matrices Yingji ships (made on first use; engines racing make it once)."""
    spec = SHIPPED[key]
    matrix, _created = RiskMatrix.objects.get_or_create(
        code=key, version=1, defaults={"name": spec["name"], "definition": spec["definition"]}
    )
    return matrix


def unsaved_policy() -> Policy:
    """The settings as they stand, without setting risk assessment up (for reading)."""
    return queries.policy() or Policy(matrix=shipped_matrix("5x5"), remind_days=[7, 1])


def current_policy() -> Policy:
    """The organisation's quarterly settings, made (the 5x5 matrix, day 20, reminders 7 and
    1 days before) by the first change that needs them: saving the settings, opening a
    campaign, adding a project. From then on the engine opens each quarter."""
    found = queries.policy()
    if found is not None:
        return found
    for key in SHIPPED:
        shipped_matrix(key)
    policy, _created = Policy.objects.get_or_create(
        pk=1, defaults={"matrix": shipped_matrix("5x5"), "remind_days": [7, 1]}
    )
    return policy


def _require_manager(actor: Actor) -> None:
    if not queries.can_manage(actor):
        raise AccessDenied(_("Only the office or an administrator may change this."))


@transaction.atomic
def matrix_create(*, actor: Actor, code: str, name: str, definition: Any) -> RiskMatrix:
    _require_manager(actor)
    code, name = code.strip(), name.strip()
    if not code or RiskMatrix.objects.filter(code=code).exists():
        raise DomainError(_("Give the matrix a code of its own."), field="code")
    if not name:
        raise DomainError(_("Give the matrix a name."), field="name")
    matrix = RiskMatrix(code=code, name=name, definition=checked_definition(definition))
    return audited_create(
        actor=actor,
        instance=matrix,
        action="risk.matrix.create",
        fields=["code", "name"],
        regulation="R-RISK-1",
    )


@transaction.atomic
def matrix_change(*, actor: Actor, matrix: RiskMatrix, name: str, definition: Any) -> RiskMatrix:
    """Change a matrix no assessment uses; one in use stays as it is and the change becomes
    its next version (the assessments keep the grid they were scored on)."""
    _require_manager(actor)
    checked = checked_definition(definition)
    name = name.strip() or matrix.name
    if not matrix.assessments.exists():
        audited_update(
            actor=actor,
            instance=matrix,
            changes={"name": name, "definition": checked},
            action="risk.matrix.update",
            regulation="R-RISK-1",
        )
        return matrix
    newest = RiskMatrix.objects.filter(code=matrix.code).order_by("-version").first()
    assert newest is not None
    successor = RiskMatrix(
        code=matrix.code, version=newest.version + 1, name=name, definition=checked
    )
    audited_create(
        actor=actor,
        instance=successor,
        action="risk.matrix.new",
        fields=["code", "version"],
        regulation="R-RISK-1",
    )
    policy = current_policy()
    if policy.matrix_id == matrix.pk:  # the organisation keeps using "its" matrix, updated
        audited_update(
            actor=actor,
            instance=policy,
            changes={"matrix": successor},
            action="risk.policy.update",
            regulation="R-RISK-1",
        )
    return successor


@transaction.atomic
def policy_update(*, actor: Actor, **changes: Any) -> Policy:
    """The matrix the next campaigns use, the due day, the reminders, the co-assessor."""
    _require_manager(actor)
    policy = current_policy()
    unknown = set(changes) - {"matrix", "due_day", "remind_days", "auto_open", "co_department"}
    if unknown:
        raise DomainError(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    if "remind_days" in changes:
        changes["remind_days"] = _remind_days(changes["remind_days"])
    co = changes.get("co_department")
    if co is not None and co.kind != DepartmentKind.TECHNOLOGY:
        raise DomainError(
            _("The co-assessor is a technology department (R-RISK-1)."), field="co_department"
        )
    audited_update(
        actor=actor,
        instance=policy,
        changes=changes,
        action="risk.policy.update",
        regulation="R-RISK-1",
    )
    return policy


def _remind_days(value: Any) -> list[int]:
    if isinstance(value, str):
        value = [part for part in value.replace("，", ",").split(",") if part.strip()]
    try:
        days = sorted({int(str(v).strip()) for v in value or []}, reverse=True)
    except (TypeError, ValueError):
        raise DomainError(_("List whole days, e.g. 7, 1."), field="remind_days") from None
    if any(not 0 <= d <= 60 for d in days) or len(days) > 5:
        raise DomainError(_("Up to five reminders, each 0-60 days before."), field="remind_days")
    return days


# ---------------------------------------------------------------- campaigns


def open_quarter(today: date) -> Campaign | None:
    """The engine's step on any day of a quarter: open the quarter's campaign unless it is
    open already, risk assessment is not set up yet (no settings saved, no campaign opened)
    or the settings turn it off. Several engines may race; one wins, the others find it open
    (the unique constraint decides)."""
    year, quarter = quarter_of(today)
    if Campaign.objects.filter(year=year, quarter=quarter, kind=CampaignKind.QUARTERLY).exists():
        return None
    policy = queries.policy()
    if policy is None or not policy.auto_open or not _business_departments().exists():
        return None
    try:
        return campaign_open(
            actor="engine", year=year, quarter=quarter, kind=CampaignKind.QUARTERLY
        )
    except IntegrityError:  # another engine opened it first
        return None


def _business_departments() -> Any:
    return Department.objects.filter(active=True, kind=DepartmentKind.BUSINESS)


@transaction.atomic
def campaign_open(
    *,
    actor: Actor | str,
    year: int,
    quarter: int,
    kind: str = CampaignKind.MANUAL,
    reason: str = "",
    departments: Iterable[Department] | None = None,
) -> Campaign:
    """R-RISK-1: one assessment for every business department (or the ones named) that has
    none this quarter, each with the technology department as co-assessor, copied from its
    last assessment."""
    if not isinstance(actor, str):
        _require_manager(actor)
        if kind != CampaignKind.MANUAL and not is_system(actor):  # the engine, the demo
            raise DomainError(_("Only the engine opens the quarterly campaign."), field="kind")
        if kind == CampaignKind.MANUAL and not reason.strip():
            raise DomainError(_("Say why this campaign is opened by hand."), field="reason")
    if not 2000 <= year <= 2099 or not 1 <= quarter <= 4:
        raise DomainError(_("Choose a year and a quarter."), field="quarter")
    policy = current_policy()
    due = due_in_quarter(year, quarter, policy.due_day)
    campaign = Campaign.objects.create(
        year=year,
        quarter=quarter,
        kind=kind,
        reason=reason.strip(),
        matrix=policy.matrix,
        due_date=due,
        opened_by=None if isinstance(actor, str) else user_of(actor),
    )
    chosen = list(departments) if departments is not None else list(_business_departments())
    taken = set(
        Assessment.objects.filter(year=year, quarter=quarter, project__isnull=True).values_list(
            "department_id", flat=True
        )
    )
    co = queries.default_co_department()
    opened = [
        _assessment_open(actor, campaign, department, co)
        for department in chosen
        if department.pk not in taken
    ]
    audit_record(
        actor=actor,
        action="risk.campaign.open",
        obj=campaign,
        regulation="R-RISK-1",
        after={"kind": kind, "assessments": len(opened), "due": due.isoformat()},
    )
    return campaign


def _assessment_open(
    actor: Actor | str, campaign: Campaign, department: Department, co: Department | None
) -> Assessment:
    earlier = Q(year__lt=campaign.year) | Q(year=campaign.year, quarter__lt=campaign.quarter)
    previous = (
        Assessment.objects.filter(earlier, department=department, project__isnull=True)
        .order_by("-year", "-quarter")
        .first()
    )
    assessment = Assessment.objects.create(
        campaign=campaign,
        department=department,
        co_department=co if co is not None and co.pk != department.pk else None,
        year=campaign.year,
        quarter=campaign.quarter,
        matrix=campaign.matrix,
        due_date=campaign.due_date,
        previous=previous,
        scope=previous.scope if previous else "",
    )
    if previous is not None:
        assessment.delegates.set(previous.delegates.all())
        _carry_over(previous, assessment)
    audit_record(
        actor=actor,
        action="risk.assessment.open",
        obj=assessment,
        regulation="R-RISK-1",
        after={"previous": previous.pk if previous else None},
    )
    notify(
        event="risk.assessment_opened",
        context={"assessment": str(assessment), "due": assessment.due_date.isoformat()},
        recipients=owners(assessment),
        link=f"/risks/assessments/{assessment.pk}/",
        key=f"risk:{assessment.pk}:opened",
    )
    return assessment


def _carry_over(previous: Assessment, assessment: Assessment) -> None:
    """Each open risk of last quarter, marked carried over until re-scored. Scores stay when
    the grid has the same size; on another matrix they are cleared to be scored anew."""
    same_grid = previous.matrix.shape.size == assessment.matrix.shape.size
    today = timezone.localdate()
    risks = previous.risks.exclude(mark=Mark.CLOSED).prefetch_related(
        "assets", "links", "acceptances"
    )
    for number, old in enumerate(risks, start=1):
        new = Risk.objects.create(
            assessment=assessment,
            number=number,
            title=old.title,
            family=old.family,
            description=old.description,
            existing_measures=old.existing_measures,
            knowledge=old.knowledge,
            knowledge_note=old.knowledge_note,
            treatment=old.treatment,
            treatment_plan=old.treatment_plan,
            owner=old.owner,
            treatment_due=old.treatment_due,
            treatment_done=old.treatment_done,
            mark=Mark.CARRIED,
            carried_from=old,
            **(
                {
                    f: getattr(old, f)
                    for f in (*SCORE_FIELDS, "inherent_level", "current_level", "residual_level")
                }
                if same_grid
                else {}
            ),
        )
        new.assets.set(old.assets.all())
        RiskLink.objects.bulk_create(
            RiskLink(risk=new, kind=link.kind, target_id=link.target_id, label=link.label)
            for link in old.links.all()
        )
        Acceptance.objects.bulk_create(
            Acceptance(risk=new, by_id=a.by_id, at=a.at, expires=a.expires, note=a.note)
            for a in old.acceptances.all()
            if a.valid_on(today)
        )


def owners(assessment: Assessment) -> list[Person]:
    """Who answers for an assessment: the heads and deputies of the department and of the
    co-assessing department, and the delegates."""
    people: list[Person] = []
    for department in (assessment.department, assessment.co_department):
        if department is not None:
            people.extend(p for p in (department.head, department.deputy) if p is not None)
    people.extend(assessment.delegates.all())
    return [p for p in people if p.status == PersonStatus.ACTIVE]


# ---------------------------------------------------------------- the assessment


@transaction.atomic
def assessment_update(*, actor: Actor, assessment: Assessment, **changes: Any) -> Assessment:
    _require_edit(actor, assessment)
    unknown = set(changes) - {"scope", "conclusion"}
    if unknown:
        raise DomainError(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    audited_update(
        actor=actor,
        instance=assessment,
        changes={k: str(v).strip() for k, v in changes.items()},
        action="risk.assessment.update",
        regulation="R-RISK-1",
    )
    return assessment


@transaction.atomic
def delegates_set(*, actor: Actor, assessment: Assessment, people: Iterable[Person]) -> None:
    """The heads name who edits with them."""
    if not queries.owns(actor, assessment) or assessment.status not in EDITABLE:
        raise AccessDenied(_("Only the heads may name delegates while the assessment is open."))
    chosen = list(people)
    if any(p.status != PersonStatus.ACTIVE for p in chosen):
        raise DomainError(_("A delegate must be an active person."), field="delegates")
    before = sorted(assessment.delegates.values_list("pk", flat=True))
    if before == sorted(p.pk for p in chosen):
        return
    assessment.delegates.set(chosen)
    audit_record(
        actor=actor,
        action="risk.assessment.delegates",
        obj=assessment,
        before={"delegates": before},
        after={"delegates": sorted(p.pk for p in chosen)},
        regulation="R-RISK-1",
    )


def _require_edit(actor: Actor, assessment: Assessment) -> None:
    assessment.refresh_from_db(fields=["status"])  # a reviewer may have acted meanwhile
    if assessment.status not in EDITABLE:
        raise DomainError(
            _("The assessment is %(status)s and can no longer be changed.")
            % {"status": assessment.get_status_display()},
            code="conflict",
        )
    if not queries.can_edit(actor, assessment):
        raise AccessDenied(
            _(
                "Only the department's heads, their delegates and the technology department may "
                "edit this assessment."
            )
        )


@transaction.atomic
def assessment_submit(*, actor: Actor, assessment: Assessment) -> list[Finding]:
    """R-RISK-1: submit for the leadership group's review once no blocking finding is left;
    returns the warnings that remain."""
    assessment = _locked(assessment)
    step = _step(actor, assessment, "submit")
    findings = quality_check(assessment, timezone.localdate())
    errors = blocking(findings)
    if errors:
        raise QualityErrors(errors)
    _move(
        actor, assessment, step.target, submitted_at=timezone.now(), submitted_by=person_user(actor)
    )
    notify(
        event="risk.assessment_submitted",
        context={"assessment": str(assessment)},
        recipients=group_members(GroupKind.LEADERSHIP),
        link=f"/risks/assessments/{assessment.pk}/",
        key=f"risk:{assessment.pk}:submitted:{timezone.now().isoformat()}",
    )
    return findings


@transaction.atomic
def assessment_return(
    *,
    actor: Actor,
    assessment: Assessment,
    comment: str,
    risk_comments: dict[int, str] | None = None,
) -> Assessment:
    """The leadership group returns it with comments, on the whole and per risk."""
    assessment = _locked(assessment)
    step = _step(actor, assessment, "return")
    per_risk = {int(k): str(v).strip() for k, v in (risk_comments or {}).items() if str(v).strip()}
    if not comment.strip() and not per_risk:
        raise DomainError(_("Say what is to be changed."), field="comment")
    risks = {r.pk: r for r in assessment.risks.filter(pk__in=per_risk)}
    if set(per_risk) - set(risks):
        raise DomainError(
            _("A comment names a risk that is not in this assessment."), field="risk_comments"
        )
    by = person_user(actor)
    if comment.strip():
        ReviewComment.objects.create(assessment=assessment, by=by, text=comment.strip())
    for pk, text in per_risk.items():
        ReviewComment.objects.create(assessment=assessment, risk=risks[pk], by=by, text=text)
    _move(actor, assessment, step.target)
    notify(
        event="risk.assessment_returned",
        context={"assessment": str(assessment), "comments": len(per_risk) + bool(comment.strip())},
        recipients=owners(assessment),
        link=f"/risks/assessments/{assessment.pk}/",
    )
    return assessment


@transaction.atomic
def assessment_approve(*, actor: Actor, assessment: Assessment, comment: str = "") -> Assessment:
    """R-RISK-1: the leadership group approves; the assessment is done and read-only."""
    assessment = _locked(assessment)
    step = _step(actor, assessment, "approve")
    if comment.strip():
        ReviewComment.objects.create(
            assessment=assessment, by=person_user(actor), text=comment.strip()
        )
    _move(
        actor, assessment, step.target, approved_at=timezone.now(), approved_by=person_user(actor)
    )
    notify(
        event="risk.assessment_approved",
        context={"assessment": str(assessment)},
        recipients=owners(assessment),
        link=f"/risks/assessments/{assessment.pk}/",
    )
    return assessment


def _locked(assessment: Assessment) -> Assessment:
    """The row as stored, locked: two reviewers acting at once take turns."""
    return (
        Assessment.objects.select_for_update(of=("self",))
        .select_related(
            "department__head",
            "department__deputy",
            "co_department__head",
            "co_department__deputy",
            "matrix",
            "project",
        )
        .get(pk=assessment.pk)
    )


def _step(actor: Actor, assessment: Assessment, action: str) -> Any:
    step = transition_for(action, assessment.status)
    if step is None:
        raise DomainError(
            _("This assessment is %(status)s; that step is not possible now.")
            % {"status": assessment.get_status_display()},
            code="conflict",
        )
    allowed = queries.can_submit if action == "submit" else queries.can_review
    if not allowed(actor, assessment):
        who = _("the heads") if action == "submit" else _("the leadership group")
        raise AccessDenied(_("Only %(who)s may take this step.") % {"who": who})
    return step


def _move(actor: Actor, assessment: Assessment, target: str, **stamps: Any) -> None:
    audited_update(
        actor=actor,
        instance=assessment,
        changes={"status": target, **stamps},
        action="risk.assessment.status",
        regulation="R-RISK-1",
        validate=False,
    )


# ---------------------------------------------------------------- risks


@transaction.atomic
def risk_add(*, actor: Actor, assessment: Assessment, **fields: Any) -> Risk:
    _require_edit(actor, assessment)
    if assessment.risks.count() >= MAX_RISKS:
        raise DomainError(_("An assessment holds at most %(n)d risks.") % {"n": MAX_RISKS})
    last = assessment.risks.order_by("-number").values_list("number", flat=True).first() or 0
    risk = Risk(assessment=assessment, number=last + 1, mark=Mark.NEW)
    assets = _apply(risk, fields, assessment)
    audited_create(
        actor=actor,
        instance=risk,
        action="risk.item.create",
        fields=["title", "family", *SCORE_FIELDS, "treatment"],
        regulation="R-RISK-1",
        validate=False,
    )
    if assets is not None:
        risk.assets.set(assets)
    _tell_owner(risk, None)
    return risk


@transaction.atomic
def risk_update(*, actor: Actor, risk: Risk, **fields: Any) -> Risk:
    """Change a risk; giving its scores re-scores it: a carried-over risk becomes *changed*
    or *unchanged* against last quarter's."""
    _require_edit(actor, risk.assessment)
    if risk.closed:
        raise DomainError(_("The risk is closed; reopen it first."), code="conflict")
    previous_owner = risk.owner_id
    probe = Risk.objects.get(pk=risk.pk)
    assets = _apply(probe, fields, risk.assessment)
    if any(name in fields for name in SCORE_FIELDS) and probe.carried_from_id:
        probe.mark = _mark_against(probe, probe.carried_from)
    changes = {
        name: getattr(probe, name)
        for name in (*RISK_FIELDS, "inherent_level", "current_level", "residual_level", "mark")
        if name != "assets"
    }
    audited_update(
        actor=actor,
        instance=risk,
        changes=changes,
        action="risk.item.update",
        regulation="R-RISK-1",
        validate=False,
    )
    if assets is not None:
        before = sorted(risk.assets.values_list("pk", flat=True))
        if before != sorted(a.pk for a in assets):
            risk.assets.set(assets)
            audit_record(
                actor=actor,
                action="risk.item.assets",
                obj=risk,
                before={"assets": before},
                after={"assets": sorted(a.pk for a in assets)},
                regulation="R-RISK-1",
            )
    _tell_owner(risk, previous_owner)
    return risk


def _mark_against(risk: Risk, old: Risk | None) -> str:
    if old is None:
        return Mark.NEW
    same = all(getattr(risk, name) == getattr(old, name) for name in COMPARED)
    return Mark.UNCHANGED if same else Mark.CHANGED


def _apply(risk: Risk, fields: dict[str, Any], assessment: Assessment) -> list[Asset] | None:
    """Check and set `fields` on `risk` (not saved); returns the assets when given."""
    unknown = set(fields) - set(RISK_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    for name in TEXT_FIELDS:
        if name in fields:
            setattr(risk, name, str(fields[name] or "").strip())
    if not risk.title:
        raise DomainError(_("Give the risk a title."), field="title")
    if len(risk.title) > 200:
        raise DomainError(_("Keep the title within 200 characters."), field="title")
    _choice(risk, fields, "family", Family, required=True)
    _choice(risk, fields, "knowledge", Knowledge)
    _choice(risk, fields, "treatment", Treatment)
    for name in SCORE_FIELDS:
        if name in fields:
            setattr(risk, name, _score(fields[name], name))
    _levels(risk, assessment)
    if "owner" in fields:
        risk.owner = _owner(fields["owner"])
    if "treatment_due" in fields:
        risk.treatment_due = _due(fields["treatment_due"], risk)
    if "treatment_done" in fields:
        risk.treatment_done = bool(fields["treatment_done"])
    needs_owner = risk.treatment not in (Treatment.UNDECIDED, Treatment.ACCEPT)
    if needs_owner and risk.treatment_plan and risk.owner is None:
        raise DomainError(_("A treatment needs an owner."), field="owner")
    return _assets(fields["assets"]) if "assets" in fields else None


def _choice(
    risk: Risk, fields: dict[str, Any], name: str, choices: Any, required: bool = False
) -> None:
    if name in fields:
        value = fields[name] or ""
        if value not in choices.values or (required and not value):
            raise DomainError(_("Choose one of the listed values."), field=name)
        setattr(risk, name, value)
    elif required and not getattr(risk, name):
        raise DomainError(_("Choose one of the listed values."), field=name)


def _score(value: Any, name: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise DomainError(_("A score is a whole number."), field=name)
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not text.isdigit():
        raise DomainError(_("A score is a whole number."), field=name)
    return int(text)


def _levels(risk: Risk, assessment: Assessment) -> None:
    """Each score pair's level on the assessment's matrix; a score off the grid is refused."""
    shape = assessment.matrix.shape
    for stage in SCORES:
        likelihood = getattr(risk, f"{stage}_likelihood")
        impact = getattr(risk, f"{stage}_impact")
        if (likelihood is None) != (impact is None):
            raise DomainError(
                _("Give both likelihood and impact, or neither."),
                field=f"{stage}_{'impact' if impact is None else 'likelihood'}",
            )
        shape.check_score(likelihood or 1, impact or 1, stage)
        level = shape.level(likelihood, impact)
        setattr(risk, f"{stage}_level", level.index if level else None)


def _owner(value: Any) -> Person | None:
    if value in (None, ""):
        return None
    person = value if isinstance(value, Person) else Person.objects.filter(pk=value).first()
    if person is None or person.status != PersonStatus.ACTIVE:
        raise DomainError(_("The owner must be an active person."), field="owner")
    return person


def _due(value: Any, risk: Risk) -> date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value))
        except ValueError:
            raise DomainError(_("Give the date as YYYY-MM-DD."), field="treatment_due") from None
    if not 2000 <= value.year <= 2099:
        raise DomainError(
            _("%(year)04d is not a plausible year; check the date.") % {"year": value.year},
            field="treatment_due",
        )
    unchanged = (
        risk.pk is not None
        and value == Risk.objects.filter(pk=risk.pk).values_list("treatment_due", flat=True).first()
    )
    if value < timezone.localdate() and not unchanged:
        raise DomainError(_("The treatment's due date is in the past."), field="treatment_due")
    return value


def _assets(values: Any) -> list[Asset]:
    wanted = [v.pk if isinstance(v, Asset) else v for v in values or []]
    try:
        ids = {int(v) for v in wanted}
    except (TypeError, ValueError):
        raise DomainError(_("Name assets by their ids."), field="assets") from None
    found = list(Asset.objects.filter(pk__in=ids))
    if len(found) != len(ids):
        raise DomainError(_("An asset named is not known."), field="assets")
    return found


def _tell_owner(risk: Risk, previous_owner: int | None) -> None:
    if risk.owner_id and risk.owner_id != previous_owner:
        notify(
            event="risk.treatment_assigned",
            context={
                "risk": str(risk),
                "assessment": str(risk.assessment),
                "due": risk.treatment_due.isoformat() if risk.treatment_due else "",
            },
            recipients=[p for p in (risk.owner,) if p is not None],
            link=f"/risks/items/{risk.pk}/",
        )


@transaction.atomic
def risk_close(*, actor: Actor, risk: Risk, reason: str) -> Risk:
    """A risk that no longer exists (the system retired, the vendor replaced) is closed with
    the reason, and stays in this quarter's report; a new one added by mistake is removed."""
    _require_edit(actor, risk.assessment)
    if not reason.strip():
        raise DomainError(_("Say why the risk is closed."), field="reason")
    audited_update(
        actor=actor,
        instance=risk,
        changes={"mark": Mark.CLOSED, "closed_reason": reason.strip()},
        action="risk.item.close",
        regulation="R-RISK-1",
        validate=False,
    )
    return risk


@transaction.atomic
def risk_reopen(*, actor: Actor, risk: Risk) -> Risk:
    _require_edit(actor, risk.assessment)
    mark = Mark.CARRIED if risk.carried_from_id else Mark.NEW
    audited_update(
        actor=actor,
        instance=risk,
        changes={"mark": mark, "closed_reason": ""},
        action="risk.item.reopen",
        regulation="R-RISK-1",
        validate=False,
    )
    return risk


@transaction.atomic
def risk_remove(*, actor: Actor, risk: Risk) -> None:
    _require_edit(actor, risk.assessment)
    if risk.carried_from_id:
        raise DomainError(
            _("A risk carried over from last quarter is closed, not removed."), code="conflict"
        )
    audit_record(
        actor=actor,
        action="risk.item.remove",
        obj=risk,
        before={"title": risk.title},
        regulation="R-RISK-1",
    )
    risk.delete()


@transaction.atomic
def links_set(*, actor: Actor, risk: Risk, links: Iterable[tuple[str, int]]) -> None:
    """What treats the risk: plans, monitoring rules, and the kinds later apps register."""
    _require_edit(actor, risk.assessment)
    wanted: dict[tuple[str, int], str] = {}
    for kind_key, target in links:
        kind = LINK_KINDS.get(kind_key)
        if kind is None:
            raise DomainError(_("Unknown kind of link: %(k)s") % {"k": kind_key}, field="links")
        found = kind.candidates(actor).filter(pk=target).first()
        if found is None:
            raise DomainError(_("A linked item is not known or not visible to you."), field="links")
        wanted[(kind_key, int(target))] = str(found)[:200]
    before = sorted(f"{k}:{t}" for k, t in risk.links.values_list("kind", "target_id"))
    after = sorted(f"{k}:{t}" for k, t in wanted)
    if before == after:
        return  # saving the risk's page unchanged records nothing
    risk.links.all().delete()
    RiskLink.objects.bulk_create(
        RiskLink(risk=risk, kind=k, target_id=t, label=label) for (k, t), label in wanted.items()
    )
    audit_record(
        actor=actor,
        action="risk.item.links",
        obj=risk,
        before={"links": before},
        after={"links": after},
        regulation="R-RISK-1",
    )


# ---------------------------------------------------------------- acceptances


@transaction.atomic
def acceptance_add(*, actor: Actor, risk: Risk, expires: Any, note: str) -> Acceptance:
    """The leadership group accepts a high risk until `expires` (at most two years)."""
    if not queries.can_accept(actor, risk):
        raise AccessDenied(_("Only the leadership group accepts a risk."))
    if risk.treatment != Treatment.ACCEPT:
        raise DomainError(
            _("Only a risk whose treatment is *accept* is accepted."), field="expires"
        )
    if not note.strip():
        raise DomainError(_("Say why the risk is accepted."), field="note")
    if not isinstance(expires, date):
        try:
            expires = date.fromisoformat(str(expires))
        except ValueError:
            raise DomainError(_("Give the date as YYYY-MM-DD."), field="expires") from None
    today = timezone.localdate()
    if not today < expires <= today + MAX_ACCEPTANCE:
        raise DomainError(_("An acceptance lasts from tomorrow up to two years."), field="expires")
    acceptance = Acceptance(risk=risk, by=person_user(actor), expires=expires, note=note.strip())
    return audited_create(
        actor=actor,
        instance=acceptance,
        action="risk.acceptance.create",
        fields=["risk", "expires", "note"],
        regulation="R-RISK-1",
        validate=False,
    )


@transaction.atomic
def acceptance_revoke(*, actor: Actor, acceptance: Acceptance) -> Acceptance:
    if not queries.can_accept(actor, acceptance.risk):
        raise AccessDenied(_("Only the leadership group revokes an acceptance."))
    if acceptance.revoked_at is not None:
        return acceptance
    audited_update(
        actor=actor,
        instance=acceptance,
        changes={"revoked_at": timezone.now()},
        action="risk.acceptance.revoke",
        regulation="R-RISK-1",
        validate=False,
    )
    return acceptance


# ---------------------------------------------------------------- R&D projects


@transaction.atomic
def project_create(
    *,
    actor: Actor,
    code: str,
    name: str,
    department: Department,
    go_live: date | None = None,
    description: str = "",
    systems: Iterable[Asset] = (),
) -> Project:
    """R-RISK-1: R&D assesses a new project's technical risks before it goes live; the
    project and its assessment are made together."""
    if not queries.can_manage_project(actor):
        raise AccessDenied(
            _("Only the office, the technology department or a head may add a project.")
        )
    if not code.strip() or Project.objects.filter(code=code.strip()).exists():
        raise DomainError(_("Give the project a code of its own."), field="code")
    if not name.strip():
        raise DomainError(_("Give the project a name."), field="name")
    if go_live is not None and not 2000 <= go_live.year <= 2099:
        raise DomainError(
            _("%(year)04d is not a plausible year; check the date.") % {"year": go_live.year},
            field="go_live",
        )
    project = Project(
        code=code.strip(),
        name=name.strip(),
        department=department,
        go_live=go_live,
        description=description.strip(),
    )
    audited_create(
        actor=actor,
        instance=project,
        action="risk.project.create",
        fields=["code", "name", "department", "go_live"],
        regulation="R-RISK-1",
    )
    project.systems.set(list(systems))
    today = timezone.localdate()
    year, quarter = quarter_of(today)
    due = (
        (go_live - timedelta(days=14))
        if go_live and go_live - timedelta(days=14) > today
        else (today + timedelta(days=30))
    )
    policy = current_policy()
    co = queries.default_co_department()
    assessment = Assessment.objects.create(
        project=project,
        department=department,
        co_department=co if co is not None and co.pk != department.pk else None,
        year=year,
        quarter=quarter,
        matrix=policy.matrix,
        due_date=due,
        scope=_("Technical risks of the project %(p)s before it goes live.") % {"p": project},
    )
    audit_record(actor=actor, action="risk.assessment.open", obj=assessment, regulation="R-RISK-1")
    return project


@transaction.atomic
def project_status(*, actor: Actor, project: Project, status: str) -> Project:
    """Ready for go-live only once its technical-risk assessment is approved (R-RISK-1)."""
    if not queries.can_manage_project(actor, project):
        raise AccessDenied(_("You may not change this project."))
    if status not in ProjectStatus.values:
        raise DomainError(_("Choose one of the listed values."), field="status")
    assessment = Assessment.objects.filter(project=project).first()  # as stored, not cached
    if status != ProjectStatus.PLANNING and (
        assessment is None or assessment.status != Status.DONE
    ):
        raise DomainError(
            _(
                "The project's technical-risk assessment must be approved by the leadership group "
                "before it is ready for go-live (R-RISK-1)."
            ),
            field="status",
            code="conflict",
        )
    audited_update(
        actor=actor,
        instance=project,
        changes={"status": status},
        action="risk.project.status",
        regulation="R-RISK-1",
        validate=False,
    )
    return project


# ---------------------------------------------------------------- reminders (the engine)


def remind_open_assessments(today: date, batch: int = 200) -> int:
    """Before the due date (the policy's days), on it, and once overdue with the office told:
    each reminder has its own key, so the hourly pass sends it once."""
    policy = queries.policy()
    if policy is None:
        return 0  # not set up: no campaign, so nothing is open
    ahead = max([0, *policy.remind_days])
    rows = (
        Assessment.objects.filter(status__in=EDITABLE, due_date__lte=today + timedelta(days=ahead))
        .select_related(
            "department__head",
            "department__deputy",
            "co_department__head",
            "co_department__deputy",
            "project",
        )
        .order_by("due_date", "pk")[:batch]
    )
    sent = 0
    for assessment in rows:
        sent += _remind(assessment, policy, today)
    return sent


def _remind(assessment: Assessment, policy: Policy, today: date) -> int:
    from yingji.notify.models import Message

    days_left = (assessment.due_date - today).days
    if days_left < 0:
        event, key = "risk.assessment_overdue", f"risk:{assessment.pk}:overdue"
        recipients = [*owners(assessment), *group_members(GroupKind.OFFICE)]
    elif days_left in policy.remind_days or days_left == 0:
        event, key = "risk.assessment_due_soon", f"risk:{assessment.pk}:due:{days_left}"
        recipients = owners(assessment)
    else:
        return 0
    if Message.objects.filter(key=key).exists():
        return 0
    with transaction.atomic():
        notify(
            event=event,
            key=key,
            recipients=recipients,
            context={"assessment": str(assessment), "due": assessment.due_date.isoformat()},
            link=f"/risks/assessments/{assessment.pk}/",
        )
        if event == "risk.assessment_overdue":
            audit_record(
                actor="engine",
                action="risk.assessment.overdue",
                obj=assessment,
                regulation="R-RISK-1",
            )
    return 1
