"""The intake's hot path in SQL (services._apply decides, this reads and writes): an open or
new alert is an `AlertRow`, not a model instance, and each step is one statement. Building
a hundred model instances and compiling ORM queries cost more than the writes themselves
(bench/README.md)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import connection

from yingji.intake.choices import OPEN_STATES
from yingji.intake.models import IncomingAlert, InhibitRule, IntakeSilence, Route

# the columns a new alert is inserted with (a test checks that they are all of them)
INSERTED = (
    "integration_id",
    "dedup_key",
    "state",
    "summary",
    "urgency",
    "source",
    "labels",
    "details",
    "link",
    "started_at",
    "last_received_at",
    "times_received",
    "acknowledged_at",
    "resolved_at",
    "silenced",
    "noise_reason",
    "policy_id",
    "group_key",
    "lead_id",
    "notice_due_at",
    "told_at",
    "grade",
    "incident_id",
)
JSON_COLUMNS = ("labels", "details")
CHUNK = 500  # rows or keys per statement, well under every database's parameter limit


class AlertRow:
    """An alert on the hot path. `told`: its opening has been told (loaded rows only)."""

    __slots__ = ("pk", "told", *INSERTED)
    integration_id: int
    dedup_key: str
    state: str
    summary: str
    urgency: str
    source: str
    labels: dict[str, str]
    details: dict[str, Any]
    link: str
    started_at: datetime | None
    times_received: int
    silenced: bool
    noise_reason: str
    group_key: str
    grade: str

    def __init__(self, **values: Any) -> None:
        self.pk: int | None = None
        self.told = False
        self.lead_id: int | None = None
        self.policy_id: int | None = None
        self.acknowledged_at: datetime | None = None
        self.resolved_at: datetime | None = None
        self.notice_due_at: datetime | None = None
        self.told_at: datetime | None = None
        self.last_received_at: datetime | None = None  # loaded rows: kept unless set
        self.silenced, self.noise_reason, self.group_key, self.times_received = False, "", "", 1
        self.grade, self.incident_id = "", None
        for name, value in values.items():
            setattr(self, name, value)


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


LOADED = (
    "id",
    "dedup_key",
    "state",
    "summary",
    "urgency",
    "source",
    "labels",
    "details",
    "link",
    "times_received",
    "lead_id",
)


def load_open(integration_id: int, keys: Iterable[str]) -> dict[str, AlertRow]:
    """The open alerts of these keys, by key."""
    keys = list(keys)
    found: dict[str, AlertRow] = {}
    columns = ", ".join(LOADED) + ", told_at IS NOT NULL"
    with _cursor() as cursor:
        for start in range(0, len(keys), CHUNK):
            chunk = keys[start : start + CHUNK]
            values: list[Any] = chunk
            if connection.vendor == "postgresql":  # one array, bound on the server
                among, values = "= ANY(%b::text[])", [chunk]
            else:
                among = f"IN ({', '.join(['%s'] * len(chunk))})"
            cursor.execute(
                f"SELECT {columns} FROM {_table(IncomingAlert)} WHERE integration_id = %s "  # noqa: S608
                f"AND state IN (%s, %s) AND dedup_key {among}",
                [integration_id, *OPEN_STATES, *values],
            )
            for row in cursor.fetchall():
                alert = AlertRow(**dict(zip(LOADED[1:], row[1:-1], strict=True)))
                alert.pk, alert.told, alert.integration_id = row[0], bool(row[-1]), integration_id
                alert.labels, alert.details = _json(alert.labels), _json(alert.details)
                found[alert.dedup_key] = alert
    return found


def insert(alerts: list[AlertRow]) -> None:
    """New alerts in one INSERT … RETURNING id per CHUNK (the ids come back in row order, which
    Django's own bulk_create relies on too)."""
    if not alerts:
        return
    adapt = _adapter()
    with connection.cursor() as cursor:
        for start in range(0, len(alerts), CHUNK):
            chunk = alerts[start : start + CHUNK]
            rows = [_inserted_values(a, adapt) for a in chunk]
            if connection.vendor == "postgresql":
                ids = _pg_insert([list(column) for column in zip(*rows, strict=True)])
            else:
                cursor.execute(_insert_values(len(chunk)), [v for row in rows for v in row])
                ids = [pk for (pk,) in cursor.fetchall()]
            for alert, pk in zip(chunk, ids, strict=True):
                alert.pk = pk


def _insert_values(count: int) -> str:
    """SQLite: a multi-row VALUES (parsed by SQLite itself, quickly)."""
    columns = ", ".join(connection.ops.quote_name(name) for name in INSERTED)
    row = "(" + ", ".join(["%s"] * len(INSERTED)) + ")"
    return (
        f"INSERT INTO {_table(IncomingAlert)} ({columns}) VALUES "  # noqa: S608
        f"{', '.join([row] * count)} RETURNING id"
    )


# PostgreSQL: one array per column, so the statement stays short (psycopg re-parses a long
# statement with thousands of placeholders on every call; a short one is cached)
_TIMES = (
    "started_at",
    "last_received_at",
    "acknowledged_at",
    "resolved_at",
    "notice_due_at",
    "told_at",
)
_PG_TYPES = {
    "integration_id": "bigint",
    "policy_id": "bigint",
    "lead_id": "bigint",
    "incident_id": "bigint",
    "times_received": "integer",
    "silenced": "boolean",
    "labels": "text",
    "details": "text",
    **dict.fromkeys(_TIMES, "timestamptz"),
}


def _insert_unnest() -> str:
    table, quote = IncomingAlert._meta.db_table, '"{}"'.format
    columns = ", ".join(quote(c) for c in INSERTED)
    chosen = ", ".join(f"{c}::jsonb" if c in JSON_COLUMNS else c for c in INSERTED)
    arrays = ", ".join(f"%b::{_PG_TYPES.get(c, 'text')}[]" for c in INSERTED)  # %b: binary
    return (
        f"INSERT INTO {quote(table)} ({columns}) SELECT {chosen} "  # noqa: S608
        f"FROM unnest({arrays}) AS t({', '.join(INSERTED)}) RETURNING id"
    )


_INSERT_UNNEST = _insert_unnest()


def _pg_insert(columns: list[list[Any]]) -> list[int]:
    with _cursor() as cursor:
        cursor.execute(_INSERT_UNNEST, columns)
        return [pk for (pk,) in cursor.fetchall()]


def _cursor() -> Any:
    """On PostgreSQL a cursor that binds its parameters on the server: Django's own quotes
    every element of an array into the statement's text, which cost more than the insert.
    It shares Django's connection, so its transaction too."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    import psycopg

    connection.ensure_connection()
    return psycopg.Cursor(connection.connection)


def _adapter() -> Any:
    """The database's datetime adaptation, once per distinct value (a payload's rows share
    the receiving time and, mostly, the start)."""
    adapted: dict[datetime, Any] = {}
    adapt = connection.ops.adapt_datetimefield_value

    def cached(value: datetime | None) -> Any:
        if value is None:
            return None
        if value not in adapted:
            adapted[value] = adapt(value)
        return adapted[value]

    return cached


def _inserted_values(a: AlertRow, adapt: Any) -> tuple[Any, ...]:
    """The row in INSERTED's order, adapted once here rather than field by field."""
    return (
        a.integration_id,
        a.dedup_key,
        a.state,
        a.summary,
        a.urgency,
        a.source,
        json.dumps(a.labels, ensure_ascii=False),
        json.dumps(a.details, ensure_ascii=False),
        a.link,
        adapt(a.started_at),
        adapt(a.last_received_at),
        a.times_received,
        adapt(a.acknowledged_at),
        adapt(a.resolved_at),
        a.silenced,
        a.noise_reason,
        a.policy_id,
        a.group_key,
        a.lead_id,
        adapt(a.notice_due_at),
        adapt(a.told_at),
        a.grade,
        a.incident_id,
    )


def write_repeats(alerts: list[AlertRow]) -> None:
    """Alerts resent unchanged (Alertmanager's repeat_interval, a group resend): only when
    and how often they were received."""
    if not alerts:
        return
    adapt = _adapter()
    rows = [(a.pk, adapt(a.last_received_at), a.times_received) for a in alerts]
    table = _table(IncomingAlert)
    if connection.vendor == "postgresql":  # one statement rather than one per row
        with _cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET last_received_at = v.at, times_received = v.n "  # noqa: S608
                "FROM unnest(%b::bigint[], %b::timestamptz[], %b::integer[]) "
                f"AS v(id, at, n) WHERE {table}.id = v.id",
                [list(column) for column in zip(*rows, strict=True)],
            )
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET last_received_at = %s, times_received = %s "  # noqa: S608
            "WHERE id = %s",
            [(at, n, pk) for pk, at, n in rows],
        )


def write_changes(alerts: list[AlertRow]) -> None:
    """One prepared UPDATE over all changed rows (bulk_update's CASE per column is many times
    slower at a hundred rows). The times a payload only ever sets are kept when unset."""
    if not alerts:
        return
    adapt = _adapter()
    sql = (
        f"UPDATE {_table(IncomingAlert)} SET state = %s, summary = %s, urgency = %s, "  # noqa: S608
        "source = %s, labels = %s, details = %s, link = %s, "
        "last_received_at = COALESCE(%s, last_received_at), "
        "times_received = %s, acknowledged_at = COALESCE(%s, acknowledged_at), "
        "resolved_at = COALESCE(%s, resolved_at), notice_due_at = COALESCE(%s, notice_due_at) "
        "WHERE id = %s"
    )
    rows = [
        (
            a.state,
            a.summary,
            a.urgency,
            a.source,
            json.dumps(a.labels, ensure_ascii=False),
            json.dumps(a.details, ensure_ascii=False),
            a.link,
            adapt(a.last_received_at),
            a.times_received,
            adapt(a.acknowledged_at),
            adapt(a.resolved_at),
            adapt(a.notice_due_at),
            a.pk,
        )
        for a in alerts
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


Matchers = list[str]
MuteConfig = tuple[
    list[Matchers],
    list[tuple[Matchers, int | None, str, str]],
    list[tuple[int, Matchers, Matchers, list[str]]],
]


def mute_and_route_config(integration_id: int, now: datetime) -> MuteConfig:
    """The silences in force, the routes (the integration's own first, then in order) and the
    inhibit rules, read for a payload in one statement (a round trip each cost more than the
    reading on PostgreSQL)."""
    at = connection.ops.adapt_datetimefield_value(now)
    quote = connection.ops.quote_name
    sql = (
        "SELECT 0, id, CAST(matchers AS TEXT), NULL, NULL, NULL, NULL, 0, 0 "  # noqa: S608
        f"FROM {_table(IntakeSilence)} WHERE (integration_id = %s OR integration_id IS NULL) "
        "AND starts_at <= %s AND ends_at > %s "
        "UNION ALL SELECT 1, id, CAST(matchers AS TEXT), grade, NULL, escalation_policy_id, "
        "urgency, CASE WHEN integration_id IS NULL THEN 1 ELSE 0 END, position "
        f"FROM {_table(Route)} WHERE integration_id = %s OR integration_id IS NULL "
        "UNION ALL SELECT 2, id, CAST(source AS TEXT), CAST(target AS TEXT), "
        f"CAST({quote('equal')} AS TEXT), NULL, NULL, 0, 0 FROM (SELECT * FROM "
        f"{_table(InhibitRule)} ORDER BY id LIMIT 100) AS rules "
        "ORDER BY 1, 8, 9, 2"
    )
    silences: list[Matchers] = []
    routes: list[tuple[Matchers, int | None, str, str]] = []
    rules: list[tuple[int, Matchers, Matchers, list[str]]] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, [integration_id, at, at, integration_id])
        for kind, pk, first, target, equal, policy, urgency, _o1, _o2 in cursor.fetchall():
            if kind == 0:
                silences.append(_json(first))
            elif kind == 1:  # the second column is the route's grade
                routes.append((_json(first), policy, urgency, target or ""))
            else:
                rules.append((pk, _json(first), _json(target), _json(equal)))
    return silences, routes, rules
