from django.contrib import admin

from yingji.org.models import Department, EmergencyGroup, Membership, Person, Vendor

# Read-only: changes go through the pages, API or import so they are validated and audited.


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


for model in (Department, Person, EmergencyGroup, Membership, Vendor):
    admin.site.register(model, ReadOnlyAdmin)
