"""The front door's own menu entries: home first, the API reference last."""

from django.utils.translation import gettext_lazy as _

from yingji.core.extensions import NavSection, register_nav

register_nav(NavSection(key="home", label=_("Home"), url_name="home", order=0))
register_nav(
    NavSection(  # for those who connect tools: administrators, the office, the experts
        key="api",
        label="API",
        url_name="api-docs",
        order=100,
        visible=lambda roles: roles.admin or roles.office or roles.expert,
    )
)
