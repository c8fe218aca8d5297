from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrontConfig(AppConfig):
    """The front door: home page, navigation, health page and the demo command. It sits on
    top of every app and shows what they registered (core.extensions)."""

    name = "yingji.front"
    label = "front"
    verbose_name = _("Front door")
