from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecoveryConfig(AppConfig):
    name = "yingji.recovery"
    label = "recovery"
    verbose_name = _("After the emergency")
