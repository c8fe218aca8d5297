"""What notify adds to the front door: its menu entry and the demo's capture channels."""

from django.utils.translation import gettext_lazy as _

from yingji.audit.words import register_action_words
from yingji.core.extensions import NavSection, register_demo, register_nav
from yingji.notify.demo import load_demo_channels
from yingji.notify.queries import unconfirmed_notices

register_nav(
    NavSection(
        key="notify",
        label=_("Notifications"),
        url_name="notify:inbox",
        order=50,
        url_namespaces=("notify",),
        badge=lambda request: unconfirmed_notices(request.user).count(),
    )
)
register_demo("notify", load_demo_channels, order=15)

register_action_words(
    subjects={"notify.channel": _("Notification channel"), "notify.message": _("Notice")},
    verbs={"broken": _("marked broken"), "remind": _("reminder sent")},
)
