from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngineConfig(AppConfig):
    name = "yingji.engine"
    label = "engine"
    verbose_name = _("Engine")
