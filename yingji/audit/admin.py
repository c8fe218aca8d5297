from django.contrib import admin

from yingji.audit.models import AuditEvent
from yingji.core.admin import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("seq", "at", "actor_name", "action", "object_repr")
    search_fields = ("object_repr", "action", "actor_name")
