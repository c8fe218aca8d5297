"""Plan pages: the list with review dates; a plan with its versions, comments, approval and
review steps; the editing pages for a draft; the diff between versions; Word and Excel."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.core.errors import DomainError
from yingji.core.extensions import panels
from yingji.core.files import file_response
from yingji.core.flash import flash_outcome
from yingji.core.forms import save_form
from yingji.plans import services
from yingji.plans.choices import EDITABLE, Author, Section
from yingji.plans.export import plan_docx
from yingji.plans.forms import (
    CommentForm,
    PlanForm,
    ReviewForm,
    StepFormSet,
    StepsUploadForm,
    VersionForm,
    step_initial,
)
from yingji.plans.models import Plan, PlanAttachment, PlanVersion
from yingji.plans.queries import (
    allowed_actions,
    get_plan_for,
    latest_versions,
    visible_plans,
    visible_versions,
)
from yingji.plans.sections import conditions, duties, version_diff
from yingji.plans.xlsx import read_steps, steps_workbook

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = list(visible_plans(request.user))
    newest = latest_versions(plans)
    context = {
        "rows": [(plan, newest.get(plan.pk)) for plan in plans],
        "today": timezone.localdate(),
        "can_create": services.can_create(request.user),
    }
    return render(request, "plans/list.html", context)


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    if not services.can_create(request.user):
        raise PermissionDenied
    form = PlanForm(request.POST or None)
    if request.method == "POST":
        plan = save_form(form, lambda data: services.plan_create(actor=request.user, **data))
        if plan is not None:
            messages.success(request, _("The plan and its first draft were created."))
            return redirect("plans:version_edit", pk=plan.pk, number=1)
    return render(request, "plans/form.html", {"form": form, "title": _("New plan")})


@login_required
def plan_detail(request: HttpRequest, pk: int, number: int | None = None) -> HttpResponse:
    plan = get_plan_for(request.user, pk)
    versions = list(visible_versions(request.user, plan).prefetch_related("approvals__by__person"))
    shown = _chosen(versions, number)
    context = _detail_context(request.user, plan, versions, shown)
    # Other apps' panels on the version shown (core.extensions: reserves' required spares).
    context["panels"] = panels("plan", request, shown) if shown is not None else []
    return render(request, "plans/detail.html", context)


def _chosen(versions: list[PlanVersion], number: int | None) -> PlanVersion | None:
    if number is None:
        return versions[0] if versions else None
    for version in versions:
        if version.number == number:
            return version
    raise Http404


def _detail_context(
    user: Any, plan: Plan, versions: list[PlanVersion], shown: PlanVersion | None
) -> dict[str, Any]:
    can_edit = services.can_act_as(user, Author.EDITOR, plan)
    comments: dict[str, list[Any]] = defaultdict(list)
    if shown is not None:
        for comment in shown.comments.select_related("by__person"):
            comments[comment.section].append(comment)
    return {
        "plan": plan,
        "version": shown,
        "versions": versions,
        "previous": next((v for v in versions if shown and v.number < shown.number), None),
        "steps": shown.steps.all() if shown else [],
        "actions": allowed_actions(user, shown) if shown else [],
        "can_edit": can_edit,
        "editable": bool(shown and shown.status in EDITABLE and can_edit),
        "can_comment": bool(shown and services.can_comment(user, shown)),
        "can_review": services.can_review(user, plan, versions),
        "comments": dict(comments),
        "duties": duties(shown) if shown else [],
        "criteria": conditions(shown) if shown else [],
        "sections": Section,
        "comment_form": CommentForm(),
        "review_form": ReviewForm(),
        "reviews": plan.reviews.select_related("by__person")[:10],
        "attachments": shown.attachments.defer("data") if shown else [],
        "today": timezone.localdate(),
    }


def _version(request: HttpRequest, pk: int, number: int) -> PlanVersion:
    plan = get_plan_for(request.user, pk)
    versions = visible_versions(request.user, plan).select_related("plan")
    return get_object_or_404(versions, number=number)


def _editable(request: HttpRequest, pk: int, number: int) -> PlanVersion:
    """The version, if this reader may edit it now; otherwise say why on the plan page."""
    version = _version(request, pk, number)
    if not services.can_act_as(request.user, Author.EDITOR, version.plan):
        raise PermissionDenied
    refusal = services.not_editable(version)
    if refusal is not None:
        raise refusal
    return version


@login_required
def version_edit(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    version = _editable(request, pk, number)
    form = VersionForm(request.POST or None, version=version)
    if request.method == "POST":
        saved = save_form(
            form,
            lambda _data: services.version_update(
                actor=request.user, version=version, **form.changes()
            ),
        )
        if saved is not None:
            messages.success(request, _("Saved."))
            return redirect("plans:version", pk=pk, number=number)
    return render(request, "plans/version_form.html", {"form": form, "version": version})


@login_required
def version_steps(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """The steps as a table of rows, three empty ones to add more; or a workbook upload."""
    version = _editable(request, pk, number)
    formset = StepFormSet(request.POST or None, initial=step_initial(version), prefix="step")
    upload = StepsUploadForm()
    error = ""
    if request.method == "POST":
        if "file" in request.FILES:
            upload = StepsUploadForm(request.POST, request.FILES)
            content = request.FILES["file"].read()  # type: ignore[union-attr]
            error = _save_steps(request, version, lambda: read_steps(content))
        elif formset.is_valid():
            rows = [form.step() for form in formset.forms]
            error = _save_steps(request, version, lambda: [row for row in rows if row])
        else:
            error = _("Some rows need attention.")
        if not error:
            messages.success(request, _("Steps saved."))
            return redirect("plans:version", pk=pk, number=number)
    context = {"formset": formset, "upload": upload, "version": version, "error": error}
    return render(request, "plans/steps_form.html", context, status=400 if error else 200)


def _save_steps(request: HttpRequest, version: PlanVersion, rows: Any) -> str:
    """Save the steps; the rule's message if the rows are refused, nothing saved."""
    try:
        services.steps_set(actor=request.user, version=version, steps=rows())
    except DomainError as exc:
        if exc.status == 403:
            raise
        return str(exc.message)
    return ""


@login_required
def steps_template(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    version = _version(request, pk, number)
    content = steps_workbook(list(version.steps.all()))
    return download(content, XLSX, f"{version.plan.code}-v{version.number}-steps.xlsx")


@login_required
def version_docx(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return word_document(_version(request, pk, number))


def word_document(version: PlanVersion) -> HttpResponse:
    return download(plan_docx(version), DOCX, f"{version.plan.code}-v{version.number}.docx")


def download(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def plan_diff(request: HttpRequest, pk: int) -> HttpResponse:
    """?a=<older number>&b=<newer number>: each section's lines removed and added."""
    plan = get_plan_for(request.user, pk)
    try:
        versions = visible_versions(request.user, plan)
        old = versions.get(number=int(request.GET.get("a", "")))
        new = versions.get(number=int(request.GET.get("b", "")))
    except (ValueError, OverflowError, PlanVersion.DoesNotExist):
        raise DomainError(_("Choose two versions of this plan to compare.")) from None
    context = {
        "plan": plan,
        "old": old,
        "new": new,
        "sections": version_diff(old, new),
        "versions": versions,
    }
    return render(request, "plans/diff.html", context)


@login_required
@require_POST
def version_step(request: HttpRequest, pk: int, number: int, action: str) -> HttpResponse:
    """Submit, send for approval, return with comments, or approve (R-PLAN-2)."""
    version = _version(request, pk, number)
    comment = request.POST.get("comment", "")[:2000]
    if action == "approve":
        call = lambda: services.version_approve(  # noqa: E731
            actor=request.user, version=version, comment=comment
        )
    else:
        call = lambda: services.version_transition(  # noqa: E731
            actor=request.user, version=version, action=action, comment=comment
        )
    flash_outcome(request, call, _("Approval recorded.") if action == "approve" else _("Done."))
    return redirect("plans:version", pk=pk, number=number)


@login_required
@require_POST
def version_comment(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    version = _version(request, pk, number)
    form = CommentForm(request.POST)
    if form.is_valid():
        flash_outcome(
            request,
            lambda: services.comment_add(actor=request.user, version=version, **form.cleaned_data),
            _("Comment added."),
        )
    else:
        messages.error(request, _("Choose a section and write the comment."))
    return redirect("plans:version", pk=pk, number=number)


@login_required
@require_POST
def plan_review(request: HttpRequest, pk: int, outcome: str) -> HttpResponse:
    """R-PLAN-3: confirm the approved version as it is, or open a new draft."""
    plan = get_plan_for(request.user, pk)
    note = request.POST.get("note", "")[:2000]
    if outcome == "confirm":
        confirm = lambda: services.review_confirm(actor=request.user, plan=plan, note=note)  # noqa: E731
        flash_outcome(request, confirm, _("Review recorded; the next one is due in a cycle."))
    elif outcome == "revise":
        revise = lambda: services.review_revise(actor=request.user, plan=plan, note=note)  # noqa: E731
        flash_outcome(request, revise, _("Review recorded; a new draft version was started."))
    else:
        raise DomainError(_("Unknown review outcome."))
    return redirect("plans:detail", pk=plan.pk)


@login_required
@require_POST
def attachment_add(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    version = _version(request, pk, number)
    files = [(f.name or "file", f.read()) for f in request.FILES.getlist("attachments")]
    flash_outcome(
        request,
        lambda: services.attachment_add(actor=request.user, version=version, files=files),
        _("Attached."),
    )
    return redirect("plans:version", pk=pk, number=number)


@login_required
def attachment_file(request: HttpRequest, pk: int, number: int, attachment_pk: int) -> HttpResponse:
    """Everyone who may read the plan may read its files."""
    version = _version(request, pk, number)
    found = get_object_or_404(PlanAttachment, pk=attachment_pk, version=version)
    return file_response(found.name, found.content_type, bytes(found.data))


@login_required
@require_POST
def attachment_remove(
    request: HttpRequest, pk: int, number: int, attachment_pk: int
) -> HttpResponse:
    version = _version(request, pk, number)
    found = get_object_or_404(PlanAttachment, pk=attachment_pk, version=version)
    flash_outcome(
        request,
        lambda: services.attachment_remove(actor=request.user, attachment=found),
        _("Removed."),
    )
    return redirect("plans:version", pk=pk, number=number)
