"""The shape of every "may this person do this" answer (STYLE.md convention 7).

Each app's queries.py has, per object type, `visible_<things>(user)` (what the user may see),
`get_<thing>_for(user, pk, write=False)` (one of those, or 404; `write=True` also demands the
right to change it, or 403) and `can_<verb>(user, obj)` predicates. Services check with the
same predicates before they write; pages use them to show or hide a form; the API and the
exports go through the same `get_..._for`. So the four never disagree."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from yingji.core.errors import AccessDenied

M = TypeVar("M", bound=Model)


def one_of(rows: QuerySet[M], pk: Any) -> M:
    """Row `pk` among `rows`, or 404 alike for a missing row, one the user may not see and
    a pk that is not a number (never 500, never a hint that the row exists)."""
    try:
        return rows.get(pk=int(pk))
    except (ObjectDoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404(_("Not found, or you may not see it.")) from None


def require(allowed: bool, refusal: str) -> None:
    """A predicate's "no" as the 403 every entry point shows with `refusal`."""
    if not allowed:
        raise AccessDenied(refusal)
