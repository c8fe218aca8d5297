from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OncallConfig(AppConfig):
    name = "yingji.oncall"
    label = "oncall"
    verbose_name = _("Duty rosters")

    def ready(self) -> None:
        from yingji.oncall import events  # noqa: F401 (registers the notices' texts)
