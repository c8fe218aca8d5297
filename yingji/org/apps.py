from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "yingji.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from yingji.core.actors import register_authority, register_display_names
        from yingji.org.queries import names_of_users
        from yingji.org.roles import roles_of

        register_authority(roles_of)  # the kernel asks "admin? maintains the org?" through this
        register_display_names(names_of_users)  # and what to call a user
