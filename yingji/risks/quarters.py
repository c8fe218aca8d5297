"""Quarters as the regulation counts them (R-RISK-1: every quarter)."""

from __future__ import annotations

from datetime import date, timedelta


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_start(year: int, quarter: int) -> date:
    return date(year, 3 * (quarter - 1) + 1, 1)


def quarter_end(year: int, quarter: int) -> date:
    next_year, next_quarter = following(year, quarter)
    return quarter_start(next_year, next_quarter) - timedelta(days=1)


def following(year: int, quarter: int) -> tuple[int, int]:
    return (year + 1, 1) if quarter == 4 else (year, quarter + 1)


def preceding(year: int, quarter: int) -> tuple[int, int]:
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def due_in_quarter(year: int, quarter: int, day_of_quarter: int) -> date:
    """The `day_of_quarter`-th day of the quarter (1 = its first day), never past its end."""
    due = quarter_start(year, quarter) + timedelta(days=day_of_quarter - 1)
    return min(due, quarter_end(year, quarter))


def label(year: int, quarter: int) -> str:
    return f"{year} Q{quarter}"
