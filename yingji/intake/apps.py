from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "yingji.intake"
    label = "intake"
    verbose_name = _("Alert intake")

    def ready(self) -> None:
        from yingji.intake import events  # noqa: F401 (registers the notices' texts)
