"""Lists a page at a time. Long, growing lists (incidents, the audit trail, alerts) page by a
keyset cursor: the same cost on the first page and the thousandth, and no COUNT over the
table. Short lists people jump around in (the directory, the inbox) page by number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.http import HttpRequest

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class KeysetPage:
    rows: list[Any]
    next_cursor: str  # "" on the last page
    first: bool
    query: str  # the request's other parameters (the filters), for the pager's links
    param: str

    @property
    def next_query(self) -> str:
        """The query string of the next page ("" on the last)."""
        if not self.next_cursor:
            return ""
        return "&".join(q for q in (self.query, f"{self.param}={self.next_cursor}") if q)


def keyset_page(
    rows: Any, request: HttpRequest, *, size: int, newest: str, param: str = "after"
) -> KeysetPage:
    """`size` rows ordered newest first by `newest` (a datetime or integer column), then by
    id, after the cursor `?<param>=<value>_<id>` (a unique column's value alone will do); a
    cursor that does not parse starts from the newest."""
    cursor = request.GET.get(param, "")
    rows = _after(rows, newest, cursor)
    found = list(rows.order_by(f"-{newest}", "-pk")[: size + 1])
    next_cursor = _cursor(found[size - 1], newest) if len(found) > size else ""
    query = request.GET.copy()
    query.pop(param, None)
    return KeysetPage(
        rows=found[:size],
        next_cursor=next_cursor,
        first=not cursor,
        query=query.urlencode(),
        param=param,
    )


def number_page(rows: Any, request: HttpRequest, *, size: int) -> Page:
    """Page `?page=` of `rows` (the last page for a number past the end, the first for junk)."""
    return Paginator(rows, size).get_page(request.GET.get("page"))


def _after(rows: Any, column: str, cursor: str) -> Any:
    value, _sep, pk = cursor.partition("_")
    try:
        key: Any = int(value)
        last_pk = int(pk) if pk else None
        if _is_datetime(rows, column):
            key = EPOCH + timedelta(microseconds=key)
    except (ValueError, OverflowError):
        return rows
    if last_pk is None:
        return rows.filter(**{f"{column}__lt": key})
    return rows.filter(Q(**{f"{column}__lt": key}) | Q(**{column: key, "pk__lt": last_pk}))


def _cursor(row: Any, column: str) -> str:
    value = getattr(row, column)
    if isinstance(value, datetime):
        value = (value - EPOCH) // timedelta(microseconds=1)  # exact and URL-safe
    return f"{value}_{row.pk}"


def _is_datetime(rows: Any, column: str) -> bool:
    return rows.model._meta.get_field(column).get_internal_type() == "DateTimeField"
