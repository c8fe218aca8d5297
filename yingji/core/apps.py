from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "yingji.core"
    label = "core"
    verbose_name = "Yingji"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from yingji.core import checks  # noqa: F401  (registers the operator checks)

        autodiscover_modules("hooks")  # each app's hooks.py registers its extensions
