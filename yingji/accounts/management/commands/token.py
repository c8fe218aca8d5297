from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from yingji.accounts.models import ApiToken
from yingji.accounts.services import token_create, token_revoke
from yingji.core.actors import SystemActor
from yingji.core.errors import DomainError

CLI = SystemActor("cli")


class Command(BaseCommand):
    help = "Create, list or revoke personal API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="print a new token for USERNAME")
        create.add_argument("username")
        create.add_argument("--name", default="cli", help="what the token is for")
        listing = sub.add_parser("list", help="list USERNAME's tokens")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="revoke a token by its id")
        revoke.add_argument("token_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "revoke":
            token = ApiToken.objects.filter(pk=options["token_id"]).first()
            if token is None:
                raise CommandError(f"no token with id {options['token_id']}")
            token_revoke(actor=CLI, token=token)
            self.stdout.write(f"revoked token {token.pk} ({token.prefix}…)")
            return
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user named {options['username']!r}")
        if action == "list":
            for token in user.api_tokens.all():
                state = "live" if token.is_live else f"revoked {token.revoked_at:%Y-%m-%d}"
                self.stdout.write(f"{token.pk}\t{token.prefix}…\t{token.name}\t{state}")
            return
        try:
            _token, raw = token_create(actor=CLI, user=user, name=options["name"])
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        self.stdout.write(raw)
