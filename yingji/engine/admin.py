from django.contrib import admin

from yingji.core.admin import ReadOnlyAdmin
from yingji.engine.models import PeriodicRun, Timer, Worker


@admin.register(Timer)
class TimerAdmin(ReadOnlyAdmin):
    list_display = ("key", "handler", "due_at", "status", "attempts", "last_error")
    list_filter = ("status", "handler")
    search_fields = ("key",)


@admin.register(Worker)
class WorkerAdmin(ReadOnlyAdmin):
    list_display = ("worker_id", "last_cycle_at", "last_cycle_ms", "cycles", "items", "stopped_at")


@admin.register(PeriodicRun)
class PeriodicRunAdmin(ReadOnlyAdmin):
    list_display = ("name", "next_run_at", "last_finished_at", "last_items", "last_error")
