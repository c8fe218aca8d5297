from django.contrib import admin

from yingji.core.admin import ReadOnlyAdmin
from yingji.org.models import Department, EmergencyGroup, Membership, Person, Vendor

# Read-only: changes go through the pages, API or import so they are validated and audited.


for model in (Department, Person, EmergencyGroup, Membership, Vendor):
    admin.site.register(model, ReadOnlyAdmin)
