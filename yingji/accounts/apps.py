from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "yingji.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from yingji.accounts import schema  # noqa: F401  (registers the OpenAPI auth scheme)
