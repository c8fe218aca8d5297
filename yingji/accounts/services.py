"""Accounts: API tokens and administrator accounts."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.audit.services import audit_record
from yingji.core.actors import Actor, authority_of, user_of
from yingji.core.errors import AccessDenied, DomainError

User = get_user_model()
TOKEN_PREFIX = "yj_"
LAST_USED_PRECISION = timedelta(minutes=5)  # avoid a write on every API call


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _may_manage_tokens_of(actor: Actor, user: Any) -> bool:
    return authority_of(actor).admin or user_of(actor) == user  # system actors count as admins


@transaction.atomic
def token_create(*, actor: Actor, user: Any, name: str) -> tuple[Any, str]:
    """Returns the token row and the secret, which is never stored or shown again."""
    from yingji.accounts.models import ApiToken

    if not _may_manage_tokens_of(actor, user):
        raise AccessDenied(_("You may only create tokens for yourself."))
    if not user.is_active:
        raise DomainError(_("This account is disabled."), field="user")
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise DomainError(_("Give the token a name of at most 100 characters."), field="name")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[: len(TOKEN_PREFIX) + 6], key_hash=hash_token(raw)
    )
    audit_record(actor=actor, action="accounts.token.create", obj=token, after={"name": name})
    return token, raw


@transaction.atomic
def token_revoke(*, actor: Actor, token: Any) -> Any:
    if not _may_manage_tokens_of(actor, token.user):
        raise AccessDenied(_("You may only revoke your own tokens."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="accounts.token.revoke", obj=token)
    return token


def token_authenticate(raw: str) -> Any | None:
    from yingji.accounts.models import ApiToken

    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


@transaction.atomic
def password_set(*, actor: Actor, user: Any, password: str) -> None:
    """An administrator sets someone's password (a first password, or after a lost one).
    Only administrators: whoever sets a password can act as that person."""
    if not authority_of(actor).admin:
        raise AccessDenied(_("Only administrators may set another person's password."))
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="password") from None
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(actor=actor, action="accounts.password.set", obj=user)  # never the password


@transaction.atomic
def password_change(*, user: Any, new_password: str) -> None:
    """A user changes their own password (the form has checked the old one and the rules)."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit_record(actor=user, action="accounts.password.change", obj=user)  # never the password


@transaction.atomic
def admin_create(*, actor: Actor, username: str, email: str, password: str) -> Any:
    username = (username or "").strip()
    if not username:
        raise DomainError(_("A username is required."), field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(
            _("The username %(name)s is already taken.") % {"name": username}, field="username"
        )
    user = User(username=username, email=email, is_staff=True, is_superuser=True)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="password") from None
    user.set_password(password)
    user.save()
    audit_record(
        actor=actor, action="accounts.admin.create", obj=user, after={"username": username}
    )
    return user
