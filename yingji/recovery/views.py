"""After-phase pages: the list, an incident's after-phase (recovery plans, rebuild, summary,
review, measures, with what is late), a recovery plan, the summary report (R-REC-1..R-REV-2)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.core.access import one_of
from yingji.core.flash import flash_outcome
from yingji.core.forms import save_form
from yingji.core.paging import number_page
from yingji.incidents.queries import get_incident_for
from yingji.recovery import queries
from yingji.recovery.choices import (
    PLAN_OPEN,
    REVIEW_QUESTIONS,
    STEP_OPEN,
    PlanStatus,
    RebuildStatus,
    ReportStatus,
    ReviewStatus,
    section_title,
)
from yingji.recovery.documents import summary_docx
from yingji.recovery.forms import (
    STEP_ROWS,
    CommentForm,
    GoalsForm,
    ImpactForm,
    PlanAddForm,
    ReasonForm,
    RebuildFinishForm,
    RebuildForm,
    ReviewRecordForm,
    ScheduleForm,
    SectionForm,
    SettingsForm,
    StepsForm,
    StepUpdateForm,
)
from yingji.recovery.models import AfterPhase, Measure, RecoveryStep
from yingji.recovery.services import common, summary, work
from yingji.recovery.services.summary import missing_sections

PAGE = 30


@login_required
def after_list(request: HttpRequest) -> HttpResponse:
    """Incidents in their after-phase, the open ones first, with what is late."""
    now = timezone.now()
    rows = (
        queries.visible_after_incidents(request.user)
        .select_related("after_phase", "summary_report", "review")
        .annotate(
            plans_open=Count(
                "recovery_plans", filter=Q(recovery_plans__status__in=PLAN_OPEN), distinct=True
            ),
            plans_late=Count(
                "recovery_plans",
                filter=Q(recovery_plans__status=PlanStatus.DRAFT, recovery_plans__due_at__lt=now),
                distinct=True,
            ),
            rebuild_open=Count(
                "rebuild_items", filter=Q(rebuild_items__status=RebuildStatus.OPEN), distinct=True
            ),
            rebuild_late=Count(
                "rebuild_items",
                filter=Q(rebuild_items__status=RebuildStatus.OPEN, rebuild_items__due_at__lt=now),
                distinct=True,
            ),
        )
        .order_by("after_phase__closed_at", "-after_phase__opened_at", "-pk")
    )
    if request.GET.get("open"):
        rows = rows.filter(after_phase__closed_at__isnull=True)
    return render(
        request,
        "recovery/list.html",
        {
            "page": number_page(rows, request, size=PAGE),
            "coordinator": queries.coordinates(request.user),
            "now": now,
        },
    )


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    if not queries.coordinates(request.user):
        raise PermissionDenied
    current = common.recovery_settings()
    form = SettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and save_form(
        form, lambda data: common.settings_save(actor=request.user, **data)
    ):
        messages.success(request, _("Saved."))
        return redirect("recovery:settings")
    return render(request, "recovery/settings.html", {"form": form})


def _phase_for(request: HttpRequest, pk: int) -> AfterPhase:
    incident = get_incident_for(request.user, pk)
    phase = AfterPhase.objects.filter(incident=incident).first()
    if phase is None:
        raise Http404(_("The after-phase opens when the leadership group orders the end."))
    phase.incident = incident
    return phase


@login_required
def incident_after(request: HttpRequest, pk: int) -> HttpResponse:
    """An incident's after-phase on one page."""
    phase = _phase_for(request, pk)
    incident = phase.incident
    user = request.user
    report = getattr(incident, "summary_report", None)
    review = getattr(incident, "review", None)
    plans = list(
        incident.recovery_plans.select_related("department", "owner").annotate(
            steps_total=Count("steps"),
            steps_open=Count("steps", filter=Q(steps__status__in=STEP_OPEN)),
            steps_late=Count(
                "steps", filter=Q(steps__status__in=STEP_OPEN, steps__due_at__lt=timezone.now())
            ),
        )
    )
    rebuild = list(incident.rebuild_items.select_related("owner").order_by("due_at", "pk"))
    technical = queries.technical(user)
    for item in rebuild:
        item.may_finish = item.status == RebuildStatus.OPEN and queries.can_write_rebuild(  # type: ignore[attr-defined]
            user, item
        )  # type: ignore[attr-defined]
    found_measures = list(
        Measure.objects.filter(incident=incident)
        .select_related("owner")
        .order_by("due", "pk")[:100]
    )
    may_review = review is not None and queries.can_hold_review(user, review)
    report_ready = report is not None and report.status in (
        ReportStatus.APPROVED,
        ReportStatus.PUBLISHED,
    )
    return render(
        request,
        "recovery/incident.html",
        {
            "incident": incident,
            "phase": phase,
            "plans": plans,
            "rebuild": rebuild,
            "report": report,
            "missing": [section_title(s.key) for s in missing_sections(report)] if report else [],
            "review": review,
            "questions": [
                (k, label, (review.answers or {}).get(k)) for k, label in REVIEW_QUESTIONS
            ]
            if review
            else [],
            "measures": found_measures,
            "measures_late": sum(1 for m in found_measures if m.overdue),
            "coordinator": queries.coordinates(user),
            "plan_add_form": PlanAddForm()
            if queries.coordinates(user) and not phase.closed_at
            else None,
            "rebuild_form": RebuildForm(
                initial={"target": (incident.affected_systems.splitlines() or [""])[0]}
            )
            if technical and not phase.closed_at
            else None,
            "finish_form": RebuildFinishForm(),
            "schedule_form": ScheduleForm()
            if may_review and review and review.status != ReviewStatus.HELD
            else None,
            "record_form": ReviewRecordForm()
            if may_review and report_ready and review and review.status != ReviewStatus.HELD
            else None,
            "may_raise": queries.can_raise_measure(user),
            "may_close": (queries.coordinates(user) or queries.leads(user))
            and phase.closed_at is None,
            "still_open": work.open_parts(phase) if phase.closed_at is None else [],
        },
    )


def _back(pk: int, anchor: str = "") -> HttpResponse:
    return redirect(f"/recovery/incidents/{pk}/" + (f"#{anchor}" if anchor else ""))


def _post(request: HttpRequest, form: Any, call: Any, success: str) -> None:
    """A button's form: checked, then the service through flash_outcome; the form's own
    errors become flash messages (the page it came from is shown again)."""
    if form.is_valid():
        flash_outcome(request, lambda: call(form), success)
        return
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))


@login_required
@require_POST
def plan_add(request: HttpRequest, pk: int) -> HttpResponse:
    phase = _phase_for(request, pk)
    _post(
        request,
        PlanAddForm(request.POST),
        lambda f: work.plan_add(actor=request.user, incident=phase.incident, **f.cleaned_data),
        _("Recovery plan added."),
    )
    return _back(pk, "plans")


@login_required
@require_POST
def rebuild_create(request: HttpRequest, pk: int) -> HttpResponse:
    phase = _phase_for(request, pk)
    _post(
        request,
        RebuildForm(request.POST),
        lambda f: work.rebuild_create(
            actor=request.user, incident=phase.incident, **f.cleaned_data
        ),
        _("Rebuild work added."),
    )
    return _back(pk, "rebuild")


@login_required
@require_POST
def rebuild_finish(request: HttpRequest, pk: int) -> HttpResponse:
    item = queries.get_rebuild_for(request.user, pk)
    _post(
        request,
        RebuildFinishForm(request.POST),
        lambda f: work.rebuild_finish(actor=request.user, item=item, **f.cleaned_data),
        _("Saved."),
    )
    return _back(item.incident_id, "rebuild")


@login_required
@require_POST
def review_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    review = queries.get_review_for(request.user, pk)
    _post(
        request,
        ScheduleForm(request.POST),
        lambda f: work.review_schedule(actor=request.user, review=review, **f.cleaned_data),
        _("Review scheduled."),
    )
    return _back(review.incident_id, "review")


@login_required
@require_POST
def review_record(request: HttpRequest, pk: int) -> HttpResponse:
    review = queries.get_review_for(request.user, pk)
    _post(
        request,
        ReviewRecordForm(request.POST),
        lambda f: work.review_record(
            actor=request.user,
            review=review,
            held_at=f.cleaned_data["held_at"],
            attendees=f.cleaned_data["attendees"],
            answers=f.answers(),
            minutes=f.cleaned_data["minutes"],
            measures=f.measures(),
        ),
        _("Review recorded."),
    )
    return _back(review.incident_id, "review")


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    phase = _phase_for(request, pk)
    flash_outcome(
        request,
        lambda: work.after_phase_close(
            actor=request.user, phase=phase, note=request.POST.get("note", "")
        ),
        _("After-phase closed."),
    )
    return _back(pk)


# ---------------------------------------------------------------- a recovery plan


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = queries.get_plan_for(request.user, pk)
    user = request.user
    writable = queries.can_write_plan(user, plan) and plan.status == PlanStatus.DRAFT
    steps = list(plan.steps.select_related("owner"))
    goals_form = GoalsForm(initial={"goals": plan.goals, "impact": plan.impact})
    initial = {}
    for n, step in enumerate(steps, start=1):
        initial.update(
            {
                f"description-{n}": step.description,
                f"due_at-{n}": timezone.localtime(step.due_at),
                f"owner-{n}": step.owner_id,
            }
        )
    steps_form = StepsForm(initial=initial, rows=max(STEP_ROWS, len(steps) + 3))
    if request.method == "POST":
        if "goals" in request.POST:
            goals_form = GoalsForm(request.POST)
            if save_form(goals_form, lambda d: work.plan_update(actor=user, plan=plan, **d)):
                messages.success(request, _("Saved."))
                return redirect("recovery:plan", pk)
        elif "steps" in request.POST:
            steps_form = StepsForm(request.POST, rows=_rows(request))
            if save_form(
                steps_form,
                lambda d: work.steps_set(actor=user, plan=plan, steps=steps_form.steps()),
            ):
                messages.success(request, _("Saved."))
                return redirect("recovery:plan", pk)
    for step in steps:
        step.may_update = plan.status == PlanStatus.APPROVED and queries.can_update_step(  # type: ignore[attr-defined]
            user, plan, step.owner_id
        )  # type: ignore[attr-defined]
    return render(
        request,
        "recovery/plan.html",
        {
            "plan": plan,
            "steps": steps,
            "writable": writable,
            "goals_form": goals_form,
            "steps_form": steps_form,
            "step_rows": [
                (
                    steps_form[f"description-{n}"],
                    steps_form[f"due_at-{n}"],
                    steps_form[f"owner-{n}"],
                )
                for n in range(1, steps_form.rows + 1)
            ],
            "may_approve": plan.status == PlanStatus.DRAFT and queries.can_approve_plan(user, plan),
            "may_withdraw": plan.status in PLAN_OPEN
            and (queries.coordinates(user) or queries.can_approve_plan(user, plan)),
            "update_form": StepUpdateForm(),
            "reason_form": ReasonForm(),
        },
    )


def _rows(request: HttpRequest) -> int:
    """How many step rows the page offered (bounded: the service refuses more than 50)."""
    rows = str(request.POST.get("rows", ""))
    return min(int(rows), 60) if rows.isdigit() and int(rows) > 0 else STEP_ROWS


@login_required
@require_POST
def plan_approve(request: HttpRequest, pk: int) -> HttpResponse:
    plan = queries.get_plan_for(request.user, pk)
    flash_outcome(request, lambda: work.plan_approve(actor=request.user, plan=plan), _("Approved."))
    return redirect("recovery:plan", pk)


@login_required
@require_POST
def plan_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    plan = queries.get_plan_for(request.user, pk)
    flash_outcome(
        request,
        lambda: work.plan_withdraw(
            actor=request.user, plan=plan, reason=request.POST.get("reason", "")
        ),
        _("Withdrawn."),
    )
    return redirect("recovery:plan", pk)


@login_required
@require_POST
def step_update(request: HttpRequest, pk: int) -> HttpResponse:
    step = one_of(RecoveryStep.objects.select_related("plan"), pk)
    plan = queries.get_plan_for(request.user, step.plan_id)
    _post(
        request,
        StepUpdateForm(request.POST),
        lambda f: work.step_update(actor=request.user, step=step, **f.cleaned_data),
        _("Saved."),
    )
    return redirect("recovery:plan", plan.pk)


# ---------------------------------------------------------------- the summary report


@login_required
def summary_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = queries.get_report_for(request.user, pk)
    user = request.user
    authors = queries.authors_of(user, report) if report.status == ReportStatus.DRAFT else set()
    sections = list(report.sections.select_related("updated_by__person"))
    for section in sections:
        section.title = section_title(section.key)  # type: ignore[attr-defined]
        section.may_write = section.author in authors  # type: ignore[attr-defined]
    impact_form = ImpactForm(
        initial={
            **{name: getattr(report, name) for name in summary.IMPACT_FIELDS},
            "interruptions": "\n".join(
                f"{r['business']} = {r['minutes']}" for r in report.interruptions
            ),
        }
    )
    if request.method == "POST":
        if "section" in request.POST:
            section = one_of(report.sections.all(), request.POST["section"])
            form = SectionForm(request.POST)
            if form.is_valid():
                flash_outcome(
                    request,
                    lambda: summary.section_save(
                        actor=user,
                        section=section,
                        text=form.cleaned_data["text"],
                        revision=form.cleaned_data.get("revision"),
                    ),
                    _("Saved."),
                )
                return redirect(f"/recovery/summaries/{pk}/#section-{section.key}")
        elif "impact" in request.POST:
            impact_form = ImpactForm(request.POST)
            if save_form(
                impact_form, lambda d: summary.impact_save(actor=user, report=report, **d)
            ):
                messages.success(request, _("Saved."))
                return redirect(f"/recovery/summaries/{pk}/#impact")
    return render(
        request,
        "recovery/summary.html",
        {
            "report": report,
            "incident": report.incident,
            "sections": sections,
            "missing": [_titled(s) for s in missing_sections(report)],
            "impact_form": impact_form if authors else None,
            "may_submit": report.status == ReportStatus.DRAFT
            and queries.can_steer_report(user, report),
            "may_approve": report.status in (ReportStatus.DRAFT, ReportStatus.IN_REVIEW)
            and queries.leads(user),
            "may_return": report.status == ReportStatus.IN_REVIEW and queries.leads(user),
            "may_publish": report.status == ReportStatus.APPROVED
            and (queries.leads(user) or queries.coordinates(user)),
            "comment_form": CommentForm(),
        },
    )


def _titled(section: Any) -> Any:
    section.title = section_title(section.key)
    return section


@login_required
@require_POST
def summary_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    report = queries.get_report_for(request.user, pk)
    steps = {
        "submit": (
            lambda: summary.report_submit(actor=request.user, report=report),
            _("Sent to the leadership group."),
        ),
        "approve": (
            lambda: summary.report_approve(actor=request.user, report=report),
            _("Approved."),
        ),
        "return": (
            lambda: summary.report_return(
                actor=request.user, report=report, comment=request.POST.get("comment", "")
            ),
            _("Returned to the groups."),
        ),
        "publish": (
            lambda: summary.report_publish(actor=request.user, report=report),
            _("Published."),
        ),
    }
    if step not in steps:
        raise PermissionDenied
    call, success = steps[step]
    flash_outcome(request, call, success)
    return redirect("recovery:summary", pk)


@login_required
def summary_download(request: HttpRequest, pk: int) -> HttpResponse:
    report = queries.get_report_for(request.user, pk)
    return summary_docx(report).response(f"summary-{report.incident_id}.docx")


@login_required
def summary_print(request: HttpRequest, pk: int) -> HttpResponse:
    report = queries.get_report_for(request.user, pk)
    sections = list(report.sections.all())
    for section in sections:
        section.title = section_title(section.key)  # type: ignore[attr-defined]
    return render(
        request,
        "recovery/summary_print.html",
        {"report": report, "incident": report.incident, "sections": sections},
    )
