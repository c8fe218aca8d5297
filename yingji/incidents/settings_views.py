"""The office's settings of the response flow: the grading table and the all-staff notices."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.core.flash import flash_outcome
from yingji.incidents import services
from yingji.incidents.forms import GradingRuleForm, NoticeTemplateForm
from yingji.incidents.models import GradingRule
from yingji.incidents.services.decide import DEFAULT_TEMPLATES, PLACEHOLDERS
from yingji.org.criteria import Condition
from yingji.org.queries import can_manage_org, require_org_manager


@login_required
def grading(request: HttpRequest) -> HttpResponse:
    """Everyone inside may read the table (it explains grades); the office edits it."""
    form = GradingRuleForm(request.POST or None)
    if request.method == "POST":
        require_org_manager(request.user)
        if form.is_valid():
            done = flash_outcome(
                request,
                lambda: services.grading_rule_save(
                    actor=request.user,
                    rule=None,
                    grade=form.cleaned_data["grade"],
                    conditions=form.conditions(),
                    note=form.cleaned_data["note"],
                ),
                _("Rule added."),
            )
            if done is not None:
                return redirect("incidents:grading")
    rules = [
        (rule, " & ".join(str(Condition(*c)) for c in rule.conditions))
        for rule in GradingRule.objects.all()
    ]
    context = {"rules": rules, "form": form, "can_edit": can_manage_org(request.user)}
    status = 400 if request.method == "POST" else 200
    return render(request, "incidents/grading.html", context, status=status)


@login_required
@require_POST
def grading_delete(request: HttpRequest, rule_pk: int) -> HttpResponse:
    rule = get_object_or_404(GradingRule, pk=rule_pk)
    flash_outcome(
        request,
        lambda: services.grading_rule_delete(actor=request.user, rule=rule),
        _("Rule deleted."),
    )
    return redirect("incidents:grading")


@login_required
def notice_template_edit(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in DEFAULT_TEMPLATES:
        raise Http404
    require_org_manager(request.user)
    title, body = services.notice_template(kind)
    form = NoticeTemplateForm(request.POST or None, initial={"title": title, "body": body})
    if request.method == "POST" and form.is_valid():
        saved = flash_outcome(
            request,
            lambda: services.notice_template_save(
                actor=request.user, kind=kind, **form.cleaned_data
            ),
            _("Saved."),
        )
        if saved is not None:
            return redirect("incidents:notice_template", kind=kind)
    elif request.method == "POST":
        messages.error(request, _("Check the fields marked below."))
    context = {"form": form, "kind": kind, "placeholders": sorted(PLACEHOLDERS)}
    return render(request, "incidents/notice_template.html", context)
