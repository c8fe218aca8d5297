"""The reserve pages' forms: they shape the input; services.py checks the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.org.choices import PersonStatus
from yingji.org.models import Department, Person
from yingji.reserves.choices import LocationKind, Movement
from yingji.reserves.models import Location, ReserveClass, Store

DATE = forms.DateInput(attrs={"type": "date"})


def _people() -> Any:
    return Person.objects.filter(status=PersonStatus.ACTIVE).order_by("employee_no")


class ClassForm(forms.Form):
    code = forms.CharField(label=_("code"), max_length=32)
    name = forms.CharField(label=_("name"), max_length=100)
    serialised = forms.BooleanField(label=_("tracked one by one"), required=False, initial=True)
    unit = forms.CharField(label=_("unit"), max_length=16, required=False)
    inspection_days = forms.IntegerField(
        label=_("inspect every (days)"), min_value=1, max_value=3650, initial=90
    )
    checklist = forms.CharField(
        label=_("inspection checklist"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("One check a line."),
    )
    min_ready = forms.IntegerField(label=_("minimum ready"), min_value=0, initial=1)
    shelf_life_days = forms.IntegerField(label=_("shelf life (days)"), min_value=1, required=False)


class StoreForm(forms.Form):
    code = forms.CharField(label=_("code"), max_length=32)
    name = forms.CharField(label=_("name"), max_length=100)
    address = forms.CharField(label=_("address"), max_length=200, required=False)
    custodian = forms.ModelChoiceField(label=_("custodian"), queryset=_people())
    backup = forms.ModelChoiceField(label=_("backup custodian"), queryset=_people(), required=False)
    owner = forms.ModelChoiceField(
        label=_("owner department"), queryset=Department.objects.filter(active=True), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name in ("custodian", "backup"):
            self.fields[name].queryset = _people()  # type: ignore[attr-defined]


class LocationForm(forms.Form):
    code = forms.CharField(label=_("code"), max_length=40)
    name = forms.CharField(label=_("name"), max_length=100)
    kind = forms.ChoiceField(label=_("kind"), choices=LocationKind.choices)
    parent = forms.ModelChoiceField(
        label=_("inside"), queryset=Location.objects.none(), required=False
    )

    def __init__(self, *args: Any, store: Store, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = store.locations.all()  # type: ignore[attr-defined]


class ReceiveForm(forms.Form):
    reserve_class = forms.ModelChoiceField(
        label=_("class"), queryset=ReserveClass.objects.filter(active=True)
    )
    location = forms.ModelChoiceField(
        label=pgettext_lazy("reserve", "location"), queryset=Location.objects.none()
    )
    tag = forms.CharField(label=_("asset tag"), max_length=40)
    quantity = forms.IntegerField(label=_("quantity"), min_value=1, initial=1)
    model = forms.CharField(label=_("model"), max_length=100, required=False)
    serial = forms.CharField(label=_("serial number"), max_length=100, required=False)
    expires = forms.DateField(label=_("expires"), widget=DATE, required=False)

    def __init__(self, *args: Any, store: Store, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = store.locations.all()  # type: ignore[attr-defined]


class MovementForm(forms.Form):
    movement = forms.ChoiceField(label=_("movement"), choices=Movement.choices)
    quantity = forms.IntegerField(label=_("quantity"), min_value=1, initial=1)
    to_location = forms.ModelChoiceField(
        label=_("to"), queryset=Location.objects.none(), required=False
    )
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def __init__(self, *args: Any, store: Store, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["to_location"].queryset = store.locations.all()  # type: ignore[attr-defined]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("workbook (.xlsx)"))
    dry_run = forms.BooleanField(
        label=_("check only, change nothing"), required=False, initial=True
    )
