from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReservesConfig(AppConfig):
    name = "yingji.reserves"
    label = "reserves"
    verbose_name = _("Emergency reserves")
