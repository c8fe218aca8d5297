"""The words for the accounts app's audit actions (audit.words)."""

from django.utils.translation import gettext_lazy as _

from yingji.audit.words import register_action_words

register_action_words(
    subjects={
        "accounts.admin": _("Administrator"),
        "accounts.password": _("Password"),
        "accounts.token": _("API token"),
    }
)
