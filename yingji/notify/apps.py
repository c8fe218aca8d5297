from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "yingji.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from yingji.engine.views import register_collector
        from yingji.notify.metrics import NotifyCollector

        register_collector(NotifyCollector())
        autodiscover_modules("events")  # each app's notice texts (notify.rendering)
