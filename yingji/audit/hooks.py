"""The audit trail's menu entry, for those who maintain the organisation (R-ORG-1)."""

from django.utils.translation import gettext_lazy as _

from yingji.audit.words import register_action_words
from yingji.core.extensions import NavSection, register_nav

register_nav(
    NavSection(
        key="audit",
        label=_("Audit trail"),
        url_name="audit:event_list",
        order=60,
        url_namespaces=("audit",),
        visible=lambda roles: roles.manages_org,
    )
)

register_action_words(subjects={"audit.auditor": _("Auditor permission")})
