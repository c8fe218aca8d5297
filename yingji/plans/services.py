"""Writing, reviewing and approving contingency plans (R-PLAN-1..2). An approved version is
the plan the response follows: it never changes in place; a change is a new version."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.audit.services import audit_record, audited_update
from yingji.core.actors import Actor, is_system, person_user
from yingji.core.errors import AccessDenied, DomainError
from yingji.core.files import checked_files
from yingji.notify.services import notify
from yingji.org.choices import GroupKind, Scenario
from yingji.org.criteria import parse_conditions
from yingji.org.models import Department
from yingji.org.queries import group_members
from yingji.org.roles import roles_of
from yingji.plans.choices import (
    EDITABLE,
    Author,
    ReviewOutcome,
    Section,
    Tier,
    VersionStatus,
    transition_for,
)
from yingji.plans.models import (
    Plan,
    PlanApproval,
    PlanAttachment,
    PlanComment,
    PlanReview,
    PlanStep,
    PlanVersion,
)

TEXT_FIELDS = (
    "scope",
    "criteria_text",
    "data_recovery",
    "business_measures",
    "resources",
    "contacts",
)
MAX_STEPS = 100


def can_act_as(actor: Actor, who: str, plan: Plan) -> bool:
    if is_system(actor):
        return True
    roles = roles_of(actor)
    if who == Author.LEADER:
        return roles.active_person and roles.leadership
    if who == Author.OFFICE:
        return roles.admin or roles.office
    heads_owner = plan.owner_department_id in roles.headed_department_ids
    return roles.admin or roles.office or roles.expert or heads_owner


def can_create(actor: Actor) -> bool:
    roles = roles_of(actor)
    return is_system(actor) or roles.admin or roles.office or roles.expert


def _require(actor: Actor, who: str, plan: Plan) -> None:
    if not can_act_as(actor, who, plan):
        raise AccessDenied(_("Only %(who)s may do this.") % {"who": Author(who).label})


@transaction.atomic
def plan_create(
    *,
    actor: Actor,
    code: str,
    title: str,
    tier: str,
    owner_department: Department,
    category: str = "",
    review_months: int = 12,
) -> Plan:
    """R-PLAN-1: a plan and its first draft."""
    if not can_create(actor):
        raise AccessDenied(_("Only the office, the experts or an administrator may add a plan."))
    if not code.strip() or Plan.objects.filter(code=code.strip()).exists():
        raise DomainError(_("Give the plan a code of its own."), field="code")
    if not title.strip():
        raise DomainError(_("Give the plan a title."), field="title")
    if tier not in Tier.values:
        raise DomainError(_("Choose a tier."), field="tier")
    if category and category not in Scenario.values:
        raise DomainError(_("Choose a category."), field="category")
    if tier != Tier.COMPREHENSIVE and not category:
        raise DomainError(_("A special plan or procedure covers one category."), field="category")
    if not 1 <= review_months <= 12:  # R-PLAN-3: at least yearly
        raise DomainError(_("Review at least every 12 months."), field="review_months")
    plan = Plan.objects.create(
        code=code.strip(),
        title=title.strip(),
        tier=tier,
        category=category,
        owner_department=owner_department,
        review_months=review_months,
    )
    PlanVersion.objects.create(plan=plan, number=1, author=_user(actor))
    audit_record(
        actor=actor,
        action="plan.create",
        obj=plan,
        regulation="R-PLAN-1",
        after={"code": plan.code, "tier": tier, "category": category},
    )
    return plan


def _user(actor: Actor) -> Any:
    """The author of a version; empty when Yingji itself wrote it (the demo, an import)."""
    return None if is_system(actor) else actor


def not_editable(version: PlanVersion) -> DomainError | None:
    """Why this version cannot be changed (it is approved, archived or under review)."""
    if version.status in EDITABLE:
        return None
    return DomainError(
        _("Version %(n)d is %(status)s and cannot be changed; start a new version.")
        % {"n": version.number, "status": version.get_status_display()},
        code="conflict",
    )


def _check_editable(actor: Actor, version: PlanVersion) -> None:
    """An approved plan is evidence of what was approved: a change is refused and the attempt
    audited. Called before the change's own transaction, so the audit event stays."""
    refusal = not_editable(version)
    if refusal is not None:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action="plan.version.change_refused",
                obj=version,
                reason=version.status,
                regulation="R-PLAN-2",
            )
        raise refusal


def version_update(*, actor: Actor, version: PlanVersion, **fields: Any) -> PlanVersion:
    """The plan's text, the groups' duties and the activation criteria, while a draft."""
    _require(actor, Author.EDITOR, version.plan)
    _check_editable(actor, version)
    return _version_update(actor, version, fields)


@transaction.atomic
def _version_update(actor: Actor, version: PlanVersion, fields: dict[str, Any]) -> PlanVersion:
    unknown = set(fields) - {*TEXT_FIELDS, "group_duties", "criteria"}
    if unknown:
        raise DomainError(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    if "criteria" in fields:
        fields["criteria"] = (
            [c.as_list() for c in parse_conditions(fields["criteria"])]
            if (fields["criteria"])
            else []
        )
    if "group_duties" in fields:
        fields["group_duties"] = _duties(fields["group_duties"])
    for name in TEXT_FIELDS:
        if name in fields:
            fields[name] = str(fields[name]).strip()
    audited_update(
        actor=actor,
        instance=version,
        changes=fields,
        action="plan.version.update",
        regulation="R-PLAN-1",
        validate=False,  # checked above, as the API and the page send it
    )
    return version


def _duties(raw: Any) -> list[dict[str, str]]:
    if not isinstance(raw, list):
        raise DomainError(_("List the groups and their duties."), field="group_duties")
    duties = []
    for item in raw:
        group = item.get("group") if isinstance(item, dict) else None
        if group not in GroupKind.values:
            raise DomainError(_("Unknown group %(g)s.") % {"g": group}, field="group_duties")
        duties.append({"group": group, "duties": str(item.get("duties", "")).strip()})
    return duties


def steps_set(*, actor: Actor, version: PlanVersion, steps: list[dict[str, Any]]) -> list[PlanStep]:
    """The response flow as ordered steps, replaced as a whole; "after" must point to an
    earlier step, so the order can never be circular."""
    _require(actor, Author.EDITOR, version.plan)
    _check_editable(actor, version)
    return _steps_set(actor, version, steps)


@transaction.atomic
def _steps_set(actor: Actor, version: PlanVersion, steps: list[dict[str, Any]]) -> list[PlanStep]:
    if len(steps) > MAX_STEPS:
        raise DomainError(_("At most %(n)d steps.") % {"n": MAX_STEPS}, field="steps")
    rows = [_step(version, n, raw) for n, raw in enumerate(steps, start=1)]
    version.steps.all().delete()
    PlanStep.objects.bulk_create(rows)
    audit_record(actor=actor, action="plan.version.steps", obj=version, after={"steps": len(rows)})
    return list(version.steps.all())


def _step(version: PlanVersion, position: int, raw: dict[str, Any]) -> PlanStep:
    where = _("Step %(n)d") % {"n": position}
    title = str(raw.get("title", "")).strip()
    if not title:
        raise DomainError(_("%(step)s: say what is done.") % {"step": where}, field="steps")
    if raw.get("group") not in GroupKind.values:
        raise DomainError(_("%(step)s: say which group does it.") % {"step": where}, field="steps")
    after = raw.get("after")
    if after is not None and (not isinstance(after, int) or not 1 <= after < position):
        raise DomainError(
            _("%(step)s can only follow an earlier step.") % {"step": where}, field="steps"
        )
    minutes = raw.get("expected_minutes")
    if minutes is not None and (not isinstance(minutes, int) or minutes < 0):
        raise DomainError(
            _("%(step)s: minutes are a whole number.") % {"step": where}, field="steps"
        )
    checklist = [
        str(item).strip()[:300] for item in raw.get("checklist") or [] if str(item).strip()
    ]
    return PlanStep(
        version=version,
        position=position,
        title=title[:200],
        group=raw["group"],
        when=str(raw.get("when", "")).strip()[:200],
        how=str(raw.get("how", "")).strip(),
        where=str(raw.get("where", "")).strip()[:200],
        expected_minutes=minutes,
        checklist=checklist[:50],
        after=after,
    )


# ---------------------------------------------------------------- review and approval


@transaction.atomic
def version_transition(
    *, actor: Actor, version: PlanVersion, action: str, comment: str = ""
) -> PlanVersion:
    """Submit for review, send for approval, or return with comments (R-PLAN-2)."""
    move = transition_for(action, version.status)
    if move is None or action == "approve":
        raise DomainError(
            _("This step is not possible while the version is %(status)s.")
            % {"status": version.get_status_display()},
            code="conflict",
        )
    _require(actor, move.who, version.plan)
    if action == "return" and not comment.strip():
        raise DomainError(_("Say what must change."), field="comment")
    if action == "submit" and not version.steps.exists():
        raise DomainError(_("A plan needs at least one step."), field="steps")
    _move(actor, version, move.source, move.target, action, comment)
    if action == "return" and roles_of(actor).leadership:
        PlanApproval.objects.update_or_create(
            version=version,
            by=person_user(actor),
            defaults={"approve": False, "comment": comment.strip()},
        )
    return version


def _move(
    actor: Actor,
    version: PlanVersion,
    source: str,
    target: str,
    action: str,
    comment: str,
    **fields: Any,
) -> None:
    changed = PlanVersion.objects.filter(pk=version.pk, status=source).update(
        status=target, **fields
    )
    if changed != 1:
        raise DomainError(_("Someone else has just changed this plan."), code="conflict")
    version.refresh_from_db()
    audit_record(
        actor=actor,
        action=f"plan.version.{action}",
        obj=version,
        reason=comment,
        before={"status": source},
        after={"status": target},
        regulation="R-PLAN-2",
    )


def quorum() -> int:
    """YINGJI_PLAN_APPROVAL_QUORUM, but never more than the leadership group has members."""
    members = group_members(GroupKind.LEADERSHIP).count()
    return max(1, min(settings.PLAN_APPROVAL_QUORUM, members))


@transaction.atomic
def version_approve(*, actor: Actor, version: PlanVersion, comment: str = "") -> PlanVersion:
    """A leadership member approves; at the quorum the version is published: the previous
    approved version is archived, the yearly review is scheduled, the groups are told."""
    _require(actor, Author.LEADER, version.plan)
    if version.status != VersionStatus.PENDING_APPROVAL:
        raise DomainError(_("Only a version pending approval can be approved."), code="conflict")
    PlanApproval.objects.update_or_create(
        version=version,
        by=person_user(actor),
        defaults={"approve": True, "comment": comment.strip()},
    )
    audit_record(
        actor=actor,
        action="plan.version.approval",
        obj=version,
        reason=comment,
        regulation="R-PLAN-2",
    )
    if version.approvals.filter(approve=True).count() < quorum():
        return version
    now = timezone.now()
    PlanVersion.objects.filter(plan=version.plan, status=VersionStatus.APPROVED).update(
        status=VersionStatus.ARCHIVED
    )
    _move(
        actor,
        version,
        VersionStatus.PENDING_APPROVAL,
        VersionStatus.APPROVED,
        "approve",
        comment,
        approved_at=now,
    )
    plan = version.plan
    plan.review_due = review_due_after(timezone.localdate(), plan.review_months)
    plan.save(update_fields=["review_due"])
    _announce(version)
    return version


def review_due_after(day: date, months: int) -> date:
    """The same day `months` later; the 31st becomes the month's last day."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _announce(version: PlanVersion) -> None:
    kinds = {duty["group"] for duty in version.group_duties} | {
        s.group for s in version.steps.all()
    }
    people = set()
    for kind in kinds:
        scenario = version.plan.category if kind == GroupKind.EXECUTION else None
        people |= set(group_members(kind, scenario=scenario or None))
    notify(
        event="plan.published",
        context={"code": version.plan.code, "title": version.plan.title, "number": version.number},
        recipients=sorted(people, key=lambda p: p.pk),
        link=f"/plans/{version.plan.pk}/",
        key=f"plan:{version.plan.pk}:published:{version.number}",
    )


@transaction.atomic
def version_new(*, actor: Actor, plan: Plan) -> PlanVersion:
    """A new draft from the latest version (approved or not), with its steps."""
    _require(actor, Author.EDITOR, plan)
    latest = plan.versions.order_by("-number").first()
    if latest is not None and latest.status in (
        *EDITABLE,
        VersionStatus.IN_REVIEW,
        VersionStatus.PENDING_APPROVAL,
    ):
        raise DomainError(
            _("Version %(n)d is still being worked on.") % {"n": latest.number}, code="conflict"
        )
    draft = PlanVersion.objects.create(
        plan=plan,
        number=(latest.number + 1) if latest else 1,
        author=_user(actor),
        **(
            {f: getattr(latest, f) for f in (*TEXT_FIELDS, "group_duties", "criteria")}
            if latest
            else {}
        ),
    )
    if latest is not None:
        _copy_attachments(latest, draft)
        PlanStep.objects.bulk_create(
            PlanStep(
                **{
                    f.name: getattr(step, f.name)
                    for f in PlanStep._meta.concrete_fields
                    if f.name not in ("id", "version")
                },
                version=draft,
            )
            for step in latest.steps.all()
        )
    audit_record(actor=actor, action="plan.version.new", obj=draft)
    return draft


def _copy_attachments(source: PlanVersion, target: PlanVersion) -> None:
    fields = ("name", "content_type", "size", "data", "uploaded_by_id", "at")
    PlanAttachment.objects.bulk_create(
        PlanAttachment(version=target, **{f: getattr(a, f) for f in fields})
        for a in source.attachments.all()
    )


# ---------------------------------------------------------------- attachments


def attachment_add(
    *, actor: Actor, version: PlanVersion, files: Iterable[tuple[str, bytes]]
) -> int:
    """Diagrams, contact sheets, manuals: part of the version, so only while it is a draft."""
    _require(actor, Author.EDITOR, version.plan)
    _check_editable(actor, version)
    checked = checked_files(files)  # all checked before anything is saved
    if not checked:
        raise DomainError(_("Choose a file."), field="attachments")
    with transaction.atomic():
        PlanAttachment.objects.bulk_create(
            PlanAttachment(
                version=version,
                name=name,
                content_type=kind,
                size=len(data),
                data=data,
                uploaded_by=_user(actor),
            )
            for name, kind, data in checked
        )
        audit_record(
            actor=actor,
            action="plan.attachment.add",
            obj=version,
            after={"files": [name for name, _k, _d in checked]},
        )
    return len(checked)


def attachment_remove(*, actor: Actor, attachment: PlanAttachment) -> None:
    version = attachment.version
    _require(actor, Author.EDITOR, version.plan)
    _check_editable(actor, version)
    with transaction.atomic():
        attachment.delete()
        audit_record(
            actor=actor,
            action="plan.attachment.remove",
            obj=version,
            before={"file": attachment.name},
        )


# ---------------------------------------------------------------- comments


def can_comment(actor: Actor, version: PlanVersion) -> bool:
    """The plan's authors and reviewers, on any version still in force or in the making."""
    plan = version.plan
    reviewer = can_act_as(actor, Author.EDITOR, plan) or can_act_as(actor, Author.LEADER, plan)
    return reviewer and not is_system(actor) and version.status != VersionStatus.ARCHIVED


@transaction.atomic
def comment_add(*, actor: Actor, version: PlanVersion, section: str, text: str) -> PlanComment:
    """A reviewer's comment on one section; the author answers it in the next revision."""
    if not can_comment(actor, version):
        if version.status == VersionStatus.ARCHIVED:
            raise DomainError(_("An archived version takes no more comments."), code="conflict")
        raise AccessDenied(_("Only the plan's authors and reviewers may comment."))
    if section not in Section.values:
        raise DomainError(_("Choose a section."), field="section")
    text = text.strip()
    if not text:
        raise DomainError(_("Write the comment."), field="text")
    comment = PlanComment.objects.create(
        version=version, section=section, by=person_user(actor), text=text[:4000]
    )
    audit_record(
        actor=actor,
        action="plan.comment",
        obj=version,
        after={"section": section},
        regulation="R-PLAN-2",
    )
    return comment


# ---------------------------------------------------------------- yearly review (R-PLAN-3)


def can_review(actor: Actor, plan: Plan, versions: list[PlanVersion]) -> bool:
    """The review is offered on an approved plan with no new version already under way."""
    statuses = {v.status for v in versions}
    return (
        can_act_as(actor, Author.EDITOR, plan)
        and VersionStatus.APPROVED in statuses
        and statuses <= {VersionStatus.APPROVED, VersionStatus.ARCHIVED}
    )


def _approved(plan: Plan) -> PlanVersion:
    version = plan.versions.filter(status=VersionStatus.APPROVED).first()
    if version is None:
        raise DomainError(_("Only an approved plan is reviewed."), code="conflict")
    return version


@transaction.atomic
def review_confirm(*, actor: Actor, plan: Plan, note: str = "") -> PlanReview:
    """The review found the approved version still right: the next review is due a cycle
    from today."""
    _require(actor, Author.EDITOR, plan)
    version = _approved(plan)
    if not note.strip():
        raise DomainError(_("Say what the review looked at."), field="note")
    plan.review_due = review_due_after(timezone.localdate(), plan.review_months)
    plan.early_review_reason = ""
    plan.save(update_fields=["review_due", "early_review_reason"])
    review = PlanReview.objects.create(
        plan=plan,
        version=version,
        outcome=ReviewOutcome.CONFIRMED,
        by=person_user(actor),
        note=note.strip(),
        next_due=plan.review_due,
    )
    audit_record(
        actor=actor,
        action="plan.review.confirm",
        obj=plan,
        reason=note,
        after={"review_due": plan.review_due.isoformat()},
        regulation="R-PLAN-3",
    )
    return review


@transaction.atomic
def review_revise(*, actor: Actor, plan: Plan, note: str = "") -> PlanVersion:
    """The review found changes are needed: a new draft is opened. The approved version stays
    in force, and the review date moves when the new version is approved."""
    _require(actor, Author.EDITOR, plan)
    version = _approved(plan)
    if not note.strip():
        raise DomainError(_("Say what must change."), field="note")
    draft = version_new(actor=actor, plan=plan)
    PlanReview.objects.create(
        plan=plan,
        version=version,
        outcome=ReviewOutcome.REVISED,
        by=person_user(actor),
        note=note.strip(),
    )
    audit_record(
        actor=actor,
        action="plan.review.revise",
        obj=plan,
        reason=note,
        after={"draft": draft.number},
        regulation="R-PLAN-3",
    )
    return draft


@transaction.atomic
def review_early(*, plan: Plan, reason: str, actor: Actor | None = None) -> None:
    """An incident or drill that used the plan produced improvement measures: the review is
    due now, and the owner and the office are told at once (R-PLAN-3)."""
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Say why the plan must be reviewed early."), field="reason")
    today = timezone.localdate()
    plan.review_due = min(plan.review_due or today, today)
    plan.early_review_reason = reason[:2000]
    plan.save(update_fields=["review_due", "early_review_reason"])
    audit_record(
        actor=actor, action="plan.review.early", obj=plan, reason=reason, regulation="R-PLAN-3"
    )
    notify(
        event="plan.review_early",
        context={"code": plan.code, "title": plan.title, "reason": plan.early_review_reason},
        recipients=review_reminder_recipients(plan),
        link=f"/plans/{plan.pk}/",
        # The reminder pass uses the same key for "due today", so it does not repeat this.
        key=f"plan:{plan.pk}:review:{plan.review_due.isoformat()}:due",
    )


def review_reminder_recipients(plan: Plan) -> list[Any]:
    """The owner department's head and the leadership group office."""
    people = set(group_members(GroupKind.OFFICE))
    if plan.owner_department.head is not None:
        people.add(plan.owner_department.head)
    return sorted(people, key=lambda p: p.pk)
