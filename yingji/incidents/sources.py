"""Where a report can start from: an app that holds alerts registers a query parameter
(`?alert=ID`, `?incoming=ID`) whose value pre-fills the report form, and what to do once the
incident exists (link the alert to it). Incidents never imports those apps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ReportSource:
    param: str
    initial: Callable[[Any, str], dict[str, Any]]  # (user, value) -> the form's initial data
    reported: Callable[[Any, str, Any], None] | None = None  # (user, value, incident)


REPORT_SOURCES: dict[str, ReportSource] = {}


def register_report_source(
    param: str,
    *,
    initial: Callable[[Any, str], dict[str, Any]],
    reported: Callable[[Any, str, Any], None] | None = None,
) -> None:
    REPORT_SOURCES[param] = ReportSource(param=param, initial=initial, reported=reported)


def report_initial(user: Any, query: Any) -> dict[str, Any]:
    """The form's initial data from the sources named in the query (later ones win)."""
    initial: dict[str, Any] = {}
    for source in REPORT_SOURCES.values():
        if source.param in query:
            initial = source.initial(user, query[source.param])
    return initial


def report_made(user: Any, query: Any, incident: Any) -> None:
    for source in REPORT_SOURCES.values():
        if source.param in query and source.reported is not None:
            source.reported(user, query[source.param], incident)
