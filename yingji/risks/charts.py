"""Pictures drawn on the server: the heat map (a table coloured by level), the change since
last quarter, the comparison between departments and a department's history (SVG bars)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from yingji.risks.choices import Mark
from yingji.risks.matrices import Level, Shape, local_name
from yingji.risks.models import Assessment, Risk


@dataclass(frozen=True)
class Cell:
    likelihood: int
    impact: int
    level: Level
    count: int


@dataclass(frozen=True)
class HeatMap:
    rows: list[tuple[str, list[Cell]]]  # likelihood from highest to lowest
    impacts: list[str]
    total: int


def heat_map(shape: Shape, pairs: Iterable[tuple[int | None, int | None]]) -> HeatMap:
    counts = Counter((lk, im) for lk, im in pairs if lk is not None and im is not None)
    rows_n, cols_n = shape.size
    rows = []
    for likelihood in range(rows_n, 0, -1):
        cells = [
            Cell(
                likelihood,
                impact,
                shape.levels[shape.grid[likelihood - 1][impact - 1]],
                counts.get((likelihood, impact), 0),
            )
            for impact in range(1, cols_n + 1)
        ]
        rows.append((f"{likelihood} {local_name(shape.likelihood[likelihood - 1])}", cells))
    impacts = [f"{n} {local_name(v)}" for n, v in enumerate(shape.impact, 1)]
    return HeatMap(rows, impacts, sum(counts.values()))


def stage_pairs(risks: Iterable[Risk], stage: str) -> list[tuple[int | None, int | None]]:
    return [
        (getattr(r, f"{stage}_likelihood"), getattr(r, f"{stage}_impact"))
        for r in risks
        if not r.closed
    ]


@dataclass(frozen=True)
class Change:
    risk: Risk
    before: Level | None
    after: Level | None

    @property
    def direction(self) -> str:
        if self.risk.mark == Mark.NEW:
            return "new"
        if self.risk.closed:
            return "closed"
        if self.risk.mark == Mark.CARRIED:
            return "carried"
        if self.before is None or self.after is None:
            return "unscored"
        if self.after.index > self.before.index:
            return "up"
        if self.after.index < self.before.index:
            return "down"
        return "same"


def changes(assessment: Assessment, risks: list[Risk]) -> tuple[list[Change], Counter[str]]:
    """Each risk against last quarter's (its `carried_from`), and the counts by direction."""
    shape = assessment.matrix.shape
    found = []
    for risk in risks:
        old = risk.carried_from
        before = (
            old.assessment.matrix.shape.levels[old.current_level]
            if (old is not None and old.current_level is not None)
            else None
        )
        after = shape.levels[risk.current_level] if risk.current_level is not None else None
        found.append(Change(risk, before, after))
    return found, Counter(c.direction for c in found)


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    fill: str
    title: str


def stacked_bars(
    columns: list[tuple[str, list[tuple[Level, int]]]], *, height: int = 160, width: int = 44
) -> dict[str, Any]:
    """SVG rectangles of one stacked bar per column (a quarter or a department), its parts
    the counts per level, lowest level at the bottom."""
    tallest = max([sum(n for _lv, n in parts) for _label, parts in columns] or [0]) or 1
    bars, labels = [], []
    for index, (label, parts) in enumerate(columns):
        x = 10 + index * (width + 16)
        top = height
        for level, count in parts:
            if not count:
                continue
            h = max(2, round(count / tallest * (height - 24)))  # room for the total above
            top -= h
            bars.append(Bar(x, top, width, h, f"#{level.hex}", f"{label} · {level.name}: {count}"))
        total = sum(n for _lv, n in parts)
        labels.append({"x": x + width // 2, "label": label, "total": total, "y": top - 4})
    legend = {lv.index: lv for _label, parts in columns for lv, n in parts if n}
    return {
        "bars": bars,
        "labels": labels,
        "width": 20 + len(columns) * (width + 16),
        "height": height,
        "axis": height + 16,
        "legend": [legend[k] for k in sorted(legend)],
    }


def level_counts(shape: Shape, levels: Iterable[int | None]) -> list[tuple[Level, int]]:
    counts = Counter(lv for lv in levels if lv is not None)
    return [(level, counts.get(level.index, 0)) for level in shape.levels]
