from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.org.choices import PersonKind, PersonStatus
from yingji.org.models import Department, EmergencyGroup, Membership, Person, Vendor
from yingji.org.services import DEPARTMENT_FIELDS, GROUP_FIELDS, PERSON_FIELDS, VENDOR_FIELDS

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def limit_choices(form: forms.BaseForm, name: str, queryset: Any) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


def _active_employees() -> Any:
    return Person.objects.filter(status=PersonStatus.ACTIVE, kind=PersonKind.EMPLOYEE)


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = DEPARTMENT_FIELDS

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        limit_choices(self, "head", _active_employees())
        limit_choices(self, "deputy", _active_employees())
        parents = Department.objects.filter(active=True)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        limit_choices(self, "parent", parents)


class PersonForm(forms.ModelForm):
    username = forms.CharField(
        label=_("username"),
        required=False,
        max_length=150,
        help_text=_("Defaults to the employee number."),
    )

    class Meta:
        model = Person
        fields = PERSON_FIELDS

    def __init__(self, *args: Any, editable: frozenset[str] = frozenset({"*"}), **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["username"]
        if "*" not in editable:
            for name in list(self.fields):
                if name not in editable:
                    del self.fields[name]
        if "department" in self.fields:
            limit_choices(self, "department", Department.objects.filter(active=True))
        if "vendor" in self.fields:
            limit_choices(self, "vendor", Vendor.objects.filter(active=True))


class GroupForm(forms.ModelForm):
    class Meta:
        model = EmergencyGroup
        fields = GROUP_FIELDS
        widgets = {"duties": forms.Textarea(attrs={"rows": 3})}


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ("person", "role", "specialty", "note")

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        limit_choices(self, "person", Person.objects.filter(status=PersonStatus.ACTIVE))
        if self.instance.pk:
            del self.fields["person"]


class VendorForm(forms.ModelForm):
    class Meta:
        model = Vendor
        fields = VENDOR_FIELDS
        widgets = {
            "service_scope": forms.Textarea(attrs={"rows": 3}),
            "contract_start": DATE_INPUT,
            "contract_end": DATE_INPUT,
            "sla_end": DATE_INPUT,
        }


MAX_IMPORT_BYTES = 5 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=_("An .xlsx workbook or a .csv file of at most 5 MB.")
    )
    kind = forms.ChoiceField(
        label=_("CSV contents"),
        required=False,
        choices=[
            ("people", _("People")),
            ("departments", _("Departments")),
            ("memberships", _("Group memberships")),
        ],
        help_text=_("A workbook holds all three sheets; a CSV file holds one of them."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB; split it into parts."))
        return upload
