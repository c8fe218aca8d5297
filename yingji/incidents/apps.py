from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "yingji.incidents"
    label = "incidents"
    verbose_name = _("Incidents")

    def ready(self) -> None:
        # registers which audit events of incidents each reader may see
        from yingji.incidents import queries  # noqa: F401
