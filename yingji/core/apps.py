from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "yingji.core"
    label = "core"
    verbose_name = "Yingji"

    def ready(self) -> None:
        from yingji.core import checks  # noqa: F401  (registers the operator checks)
