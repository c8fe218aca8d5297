"""Organisation pages. Thin: read through queries.py, write through services.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.accounts.services import password_set
from yingji.core.errors import DomainError
from yingji.core.flash import flash_outcome
from yingji.core.forms import save_form
from yingji.core.paging import number_page
from yingji.org import services, transfer
from yingji.org.choices import GroupKind, PersonStatus
from yingji.org.filters import PeopleFilter
from yingji.org.forms import (
    DepartmentForm,
    GroupForm,
    ImportForm,
    MembershipForm,
    PersonForm,
    VendorForm,
)
from yingji.org.models import Membership
from yingji.org.queries import (
    SELF_EDITABLE_FIELDS,
    can_manage_org,
    department_tree,
    get_department_for,
    get_group_for,
    get_person_for,
    get_vendor_for,
    in_rank_order,
    person_editable_fields,
    require_org_manager,
    visible_departments,
    visible_groups,
    visible_memberships,
    visible_people,
    visible_vendors,
)
from yingji.org.roles import roles_of

PAGE_SIZE = 50


def _changes(form: Any) -> dict[str, Any]:
    return {
        name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data
    }


def _edit_page(request: HttpRequest, form: Any, title: str, cancel: str) -> HttpResponse:
    return render(request, "org/form.html", {"form": form, "title": title, "cancel": cancel})


def _create_or_update(
    request: HttpRequest,
    *,
    form: Any,
    instance: Any,
    create: Callable[[dict[str, Any]], Any],
    update: Callable[[Any, dict[str, Any]], Any],
    titles: tuple[str, str],
    detail: str,
    cancel: str,
) -> HttpResponse:
    """The create/edit page of any organisation object; the services do the work."""
    if request.method == "POST":
        save = create if instance is None else lambda data: update(instance, _changes(form))
        saved = save_form(form, save)
        if saved:
            messages.success(request, _("Saved."))
            return redirect(detail, pk=saved.pk)
    return _edit_page(request, form, titles[0] if instance is None else titles[1], cancel)


# ---------------------------------------------------------------- chart


@login_required
def chart(request: HttpRequest) -> HttpResponse:
    """The emergency organisation as the regulation draws it (R-ORG-1..3)."""
    members = in_rank_order(Membership.objects.select_related("person"))
    groups = (
        visible_groups(request.user)
        .filter(active=True)
        .prefetch_related(Prefetch("memberships", queryset=members))
    )
    by_kind: dict[str, list[Any]] = {kind: [] for kind in GroupKind.values}
    for group in groups:
        by_kind[group.kind].append(group)
    departments = list(visible_departments(request.user).filter(active=True).select_related("head"))
    return render(
        request,
        "org/chart.html",
        {
            "leadership": by_kind[GroupKind.LEADERSHIP],
            "office": by_kind[GroupKind.OFFICE],
            "experts": by_kind[GroupKind.EXPERT],
            "execution": by_kind[GroupKind.EXECUTION],
            "departments": department_tree(departments),
        },
    )


# ---------------------------------------------------------------- departments


@login_required
def department_list(request: HttpRequest) -> HttpResponse:
    departments = list(
        visible_departments(request.user)
        .select_related("head", "deputy")
        .annotate(headcount=Count("people", filter=Q(people__status=PersonStatus.ACTIVE)))
    )
    return render(
        request,
        "org/department_list.html",
        {"tree": department_tree(departments), "can_manage": can_manage_org(request.user)},
    )


@login_required
def department_detail(request: HttpRequest, pk: int) -> HttpResponse:
    department = get_department_for(request.user, pk)
    people = visible_people(request.user).filter(department=department).select_related("user")
    return render(
        request,
        "org/department_detail.html",
        {
            "department": department,
            "people": people,
            "children": department.children.all(),
            "can_manage": can_manage_org(request.user),
        },
    )


@login_required
def department_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    department = get_department_for(request.user, pk, write=True) if pk else None
    if department is None:
        require_org_manager(request.user)
    actor = request.user
    return _create_or_update(
        request,
        form=DepartmentForm(request.POST or None, instance=department),
        instance=department,
        create=lambda data: services.department_create(actor=actor, **data),
        update=lambda found, changes: services.department_update(
            actor=actor, department=found, changes=changes
        ),
        titles=(_("New department"), _("Edit department")),
        detail="org:department_detail",
        cancel="org:department_list",
    )


# ---------------------------------------------------------------- people


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    found = PeopleFilter(
        request.GET or None, queryset=visible_people(request.user), request=request
    )
    filters, people = found.form, found.qs.select_related("department", "vendor")
    page = number_page(people, request, size=PAGE_SIZE)
    template = (
        "org/_people_rows.html" if getattr(request, "htmx", False) else "org/person_list.html"
    )
    return render(
        request,
        template,
        {"page": page, "filters": filters, "can_manage": can_manage_org(request.user)},
    )


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for(request.user, pk)
    memberships = visible_memberships(request.user).filter(person=person).select_related("group")
    return render(
        request,
        "org/person_detail.html",
        {
            "person": person,
            "memberships": memberships,
            "led_departments": person.headed_departments.all(),
            "can_edit": bool(person_editable_fields(request.user, person)),
            "can_manage": can_manage_org(request.user),
        },
    )


@login_required
def person_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    person = get_person_for(request.user, pk, write=True) if pk else None
    if person is None:
        require_org_manager(request.user)
    editable = person_editable_fields(request.user, person) if person else frozenset({"*"})
    actor = request.user
    return _create_or_update(
        request,
        form=PersonForm(request.POST or None, instance=person, editable=editable),
        instance=person,
        create=lambda data: services.person_create(actor=actor, **data),
        update=lambda found, changes: services.person_update(
            actor=actor, person=found, changes=changes
        ),
        titles=(_("New person"), _("Edit person")),
        detail="org:person_detail",
        cancel="org:person_list",
    )


@login_required
@require_POST
def person_status(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for(request.user, pk)
    flash_outcome(
        request,
        lambda: services.person_set_status(
            actor=request.user,
            person=person,
            status=request.POST.get("status", ""),
            reason=request.POST.get("reason", "")[:500],
        ),
        _("Status changed."),
    )
    return redirect("org:person_detail", pk=person.pk)


@login_required
@require_POST
def person_password(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for(request.user, pk)
    password = request.POST.get("password", "")
    if password != request.POST.get("password2", ""):
        messages.error(request, _("The two passwords differ."))
    else:
        flash_outcome(
            request,
            lambda: password_set(actor=request.user, user=person.user, password=password),
            _("Password set."),
        )
    return redirect("org:person_detail", pk=person.pk)


# ---------------------------------------------------------------- groups


@login_required
def group_list(request: HttpRequest) -> HttpResponse:
    groups = visible_groups(request.user).annotate(size=Count("memberships"))
    return render(
        request,
        "org/group_list.html",
        {"groups": groups, "can_manage": can_manage_org(request.user)},
    )


@login_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_group_for(request.user, pk)
    can_manage = can_manage_org(request.user)
    form = MembershipForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        require_org_manager(request.user)
        saved = save_form(
            form, lambda data: services.membership_add(actor=request.user, group=group, **data)
        )
        if saved:
            messages.success(request, _("Member added."))
            return redirect("org:group_detail", pk=group.pk)
    memberships = in_rank_order(
        group.memberships.select_related("person", "person__department", "person__vendor")
    )
    return render(
        request,
        "org/group_detail.html",
        {"group": group, "memberships": memberships, "form": form, "can_manage": can_manage},
    )


@login_required
def group_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    group = get_group_for(request.user, pk, write=True) if pk else None
    if group is None:
        require_org_manager(request.user)
    actor = request.user
    return _create_or_update(
        request,
        form=GroupForm(request.POST or None, instance=group),
        instance=group,
        create=lambda data: services.group_create(actor=actor, **data),
        update=lambda found, changes: services.group_update(
            actor=actor, group=found, changes=changes
        ),
        titles=(_("New group"), _("Edit group")),
        detail="org:group_detail",
        cancel="org:group_list",
    )


def _membership_for(request: HttpRequest, pk: int) -> Membership:
    membership = visible_memberships(request.user).filter(pk=pk).select_related("group").first()
    if membership is None:
        from django.http import Http404

        raise Http404(_("Not found, or you may not see it."))
    require_org_manager(request.user)
    return membership


@login_required
def membership_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership_for(request, pk)
    form = MembershipForm(request.POST or None, instance=membership)
    if request.method == "POST":
        saved = save_form(
            form,
            lambda data: services.membership_update(
                actor=request.user, membership=membership, changes=_changes(form)
            ),
        )
        if saved:
            messages.success(request, _("Saved."))
            return redirect("org:group_detail", pk=membership.group_id)
    return _edit_page(request, form, _("Edit membership"), "org:group_list")


@login_required
@require_POST
def membership_remove(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership_for(request, pk)
    group_pk = membership.group_id
    services.membership_remove(actor=request.user, membership=membership)
    messages.success(request, _("Member removed."))
    return redirect("org:group_detail", pk=group_pk)


# ---------------------------------------------------------------- vendors


@login_required
def vendor_list(request: HttpRequest) -> HttpResponse:
    vendors = visible_vendors(request.user).annotate(
        staff_count=Count("staff", filter=Q(staff__status=PersonStatus.ACTIVE))
    )
    return render(
        request,
        "org/vendor_list.html",
        {"vendors": vendors, "can_manage": can_manage_org(request.user)},
    )


@login_required
def vendor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    vendor = get_vendor_for(request.user, pk)
    staff = visible_people(request.user).filter(vendor=vendor)
    return render(
        request,
        "org/vendor_detail.html",
        {"vendor": vendor, "staff": staff, "can_manage": can_manage_org(request.user)},
    )


@login_required
def vendor_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    vendor = get_vendor_for(request.user, pk, write=True) if pk else None
    if vendor is None:
        require_org_manager(request.user)
    actor = request.user
    return _create_or_update(
        request,
        form=VendorForm(request.POST or None, instance=vendor),
        instance=vendor,
        create=lambda data: services.vendor_create(actor=actor, **data),
        update=lambda found, changes: services.vendor_update(
            actor=actor, vendor=found, changes=changes
        ),
        titles=(_("New vendor"), _("Edit vendor")),
        detail="org:vendor_detail",
        cancel="org:vendor_list",
    )


# ---------------------------------------------------------------- import / export


@login_required
def import_view(request: HttpRequest) -> HttpResponse:
    require_org_manager(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    report, problem = None, None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            tables = transfer.read_tables(upload.read(), upload.name, form.cleaned_data["kind"])
            report = transfer.import_organisation(
                actor=request.user, tables=tables, dry_run="dry_run" in request.POST
            )
        except DomainError as exc:
            problem = str(exc.message)
    invalid = request.method == "POST" and not form.is_valid()
    status = 400 if invalid or problem or (report and report.errors) else 200
    return render(
        request,
        "org/import.html",
        {"form": form, "report": report, "problem": problem},
        status=status,
    )


@login_required
def export_view(request: HttpRequest) -> HttpResponse:
    require_org_manager(request.user)
    kind = request.GET.get("kind", "")
    if request.GET.get("format") == "csv":
        if kind not in transfer.COLUMNS:
            return HttpResponse(_("Choose what to export."), status=400)
        response = HttpResponse(transfer.export_csv(kind, request.user), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="yingji-{kind}.csv"'
        return response
    response = HttpResponse(
        transfer.export_workbook(request.user),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="yingji-organisation.xlsx"'
    return response


# ---------------------------------------------------------------- my page


@login_required
def me(request: HttpRequest) -> HttpResponse:
    """My page: how to reach me and my language (which is also the interface's), and the
    way to my paging rules, my password and my API tokens."""
    person = roles_of(request.user).person
    form = None
    if person is not None:
        allowed = person_editable_fields(request.user, person)  # my own fields, here
        editable = SELF_EDITABLE_FIELDS if "*" in allowed else SELF_EDITABLE_FIELDS & allowed
        form = PersonForm(request.POST or None, instance=person, editable=editable)
        if request.method == "POST":
            saved = save_form(
                form,
                lambda data: services.person_update(
                    actor=request.user, person=person, changes=_changes(form)
                ),
            )
            if saved is not None:
                messages.success(request, _("Saved."))
                response = redirect("org:me")
                if saved.language:  # the interface follows the language of my notices
                    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, saved.language)
                return response
    return render(request, "org/me.html", {"person": person, "form": form})
