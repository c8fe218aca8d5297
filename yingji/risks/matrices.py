"""Risk matrices are data: a grid of likelihood x impact -> level, each level with its names
in the three languages, a colour and what it means. Three ship with Yingji (5x5 in the style
of GB/T 20984, 4x4, 3x3); an organisation picks one, and a matrix an assessment uses is never
changed in place (a new version is made instead)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from yingji.core.errors import DomainError
from yingji.risks.choices import Meaning

LANGUAGES = ("zh-hans", "zh-hant", "en")
# A palette, not free hex: the page's stylesheet has a class for each (the CSP forbids inline
# styles) and the Word report shades its cells with the same colours.
PALETTE = {
    "green": "2F9E44",
    "lime": "A9E34B",
    "yellow": "FFD43B",
    "orange": "FD7E14",
    "red": "E03131",
    "darkred": "9C0006",
    "blue": "4DABF7",
    "grey": "ADB5BD",
}
MIN_SIZE, MAX_SIZE = 2, 7


@dataclass(frozen=True)
class Level:
    index: int  # 0-based, higher is worse
    names: dict[str, str]
    colour: str
    meaning: str

    @property
    def name(self) -> str:
        return local_name(self.names)

    @property
    def hex(self) -> str:
        return PALETTE.get(self.colour, "FFFFFF")

    @property
    def meaning_label(self) -> str:
        return str(Meaning(self.meaning).label)

    @property
    def unacceptable(self) -> bool:
        return self.meaning == Meaning.UNACCEPTABLE

    @property
    def acceptable(self) -> bool:
        return self.meaning == Meaning.ACCEPTABLE


def local_name(names: dict[str, str]) -> str:
    """The name in the language being used, else simplified Chinese, else any."""
    language = (translation.get_language() or "zh-hans").lower()
    return names.get(language) or names.get("zh-hans") or next(iter(names.values()), "")


@dataclass(frozen=True)
class Shape:
    """A matrix definition read once: its scales, levels and grid."""

    likelihood: list[dict[str, str]]
    impact: list[dict[str, str]]
    levels: list[Level]
    grid: list[list[int]]

    @classmethod
    def of(cls, definition: dict[str, Any]) -> Shape:
        checked = checked_definition(definition)
        levels = [
            Level(index=n, names=lv["names"], colour=lv["colour"], meaning=lv["meaning"])
            for n, lv in enumerate(checked["levels"])
        ]
        return cls(checked["likelihood"], checked["impact"], levels, checked["grid"])

    @property
    def size(self) -> tuple[int, int]:
        return len(self.likelihood), len(self.impact)

    def level(self, likelihood: int | None, impact: int | None) -> Level | None:
        """The level of a 1-based score pair; None when either is missing."""
        if likelihood is None or impact is None:
            return None
        self.check_score(likelihood, impact)
        return self.levels[self.grid[likelihood - 1][impact - 1]]

    def check_score(self, likelihood: int, impact: int, field: str = "") -> None:
        rows, cols = self.size
        if not 1 <= likelihood <= rows:
            raise DomainError(
                _("Likelihood must be between 1 and %(n)d on this matrix.") % {"n": rows},
                field=f"{field}_likelihood" if field else None,
            )
        if not 1 <= impact <= cols:
            raise DomainError(
                _("Impact must be between 1 and %(n)d on this matrix.") % {"n": cols},
                field=f"{field}_impact" if field else None,
            )

    def likelihood_name(self, score: int | None) -> str:
        return local_name(self.likelihood[score - 1]) if score else "—"

    def impact_name(self, score: int | None) -> str:
        return local_name(self.impact[score - 1]) if score else "—"


def checked_definition(definition: Any) -> dict[str, Any]:
    """A definition that makes a matrix, or a DomainError on `definition` saying what is wrong."""
    if not isinstance(definition, dict):
        raise _bad(_("A matrix is an object with likelihood, impact, levels and grid."))
    likelihood = _names_list(definition.get("likelihood"), _("likelihood"))
    impact = _names_list(definition.get("impact"), _("impact"))
    levels = _levels(definition.get("levels"))
    grid = definition.get("grid")
    if not isinstance(grid, list) or len(grid) != len(likelihood):
        raise _bad(_("The grid needs one row per likelihood value."))
    for row in grid:
        if not isinstance(row, list) or len(row) != len(impact):
            raise _bad(_("Each grid row needs one level per impact value."))
        for cell in row:
            if not isinstance(cell, int) or isinstance(cell, bool) or not 0 <= cell < len(levels):
                raise _bad(
                    _("Each grid cell names a level from 0 to %(n)d.") % {"n": len(levels) - 1}
                )
    return {"likelihood": likelihood, "impact": impact, "levels": levels, "grid": grid}


def _bad(message: str) -> DomainError:
    return DomainError(message, field="definition")


def _names(value: Any, what: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(value.get(lang), str) and value[lang].strip() for lang in LANGUAGES
    ):
        raise _bad(
            _("Name each %(what)s in simplified Chinese, traditional Chinese and English.")
            % {"what": what}
        )
    return {lang: value[lang].strip()[:60] for lang in LANGUAGES}


def _names_list(value: Any, what: str) -> list[dict[str, str]]:
    if not isinstance(value, list) or not MIN_SIZE <= len(value) <= MAX_SIZE:
        raise _bad(
            _("The %(what)s scale has %(min)d to %(max)d values.")
            % {"what": what, "min": MIN_SIZE, "max": MAX_SIZE}
        )
    return [_names(item, what) for item in value]


def _levels(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not MIN_SIZE <= len(value) <= MAX_SIZE:
        raise _bad(
            _("A matrix has %(min)d to %(max)d levels.") % {"min": MIN_SIZE, "max": MAX_SIZE}
        )
    levels = []
    for item in value:
        item = item if isinstance(item, dict) else {}
        if item.get("colour") not in PALETTE:
            raise _bad(_("A level's colour is one of: %(c)s.") % {"c": ", ".join(PALETTE)})
        if item.get("meaning") not in Meaning.values:
            raise _bad(_("A level means acceptable, tolerable or unacceptable."))
        levels.append(
            {
                "names": _names(item.get("names"), _("level")),
                "colour": item["colour"],
                "meaning": item["meaning"],
            }
        )
    return levels


# ---------------------------------------------------------------- the shipped matrices


def _n(hans: str, hant: str, en: str) -> dict[str, str]:
    return {"zh-hans": hans, "zh-hant": hant, "en": en}


def _grid(rows: int, cols: int, bands: list[int]) -> list[list[int]]:
    """Level of each cell from the product likelihood x impact: `bands` are the products at
    which each level after the first begins (GB/T 20984's multiplication method)."""
    return [
        [sum(1 for start in bands if (r + 1) * (c + 1) >= start) for c in range(cols)]
        for r in range(rows)
    ]


LIKELIHOOD_5 = [
    _n("很低（几乎不会发生）", "很低（幾乎不會發生）", "Very low (almost never)"),
    _n("低（可能性小）", "低（可能性小）", "Low (unlikely)"),
    _n("中（可能发生）", "中（可能發生）", "Medium (possible)"),
    _n("高（很可能发生）", "高（很可能發生）", "High (likely)"),
    _n("很高（几乎肯定）", "很高（幾乎肯定）", "Very high (almost certain)"),
]
IMPACT_5 = [
    _n("很低（几乎无影响）", "很低（幾乎無影響）", "Very low (negligible)"),
    _n("低（局部短时影响）", "低（局部短時影響）", "Low (local, brief)"),
    _n("中（部分业务中断）", "中（部分業務中斷）", "Medium (some business stops)"),
    _n("高（核心业务中断）", "高（核心業務中斷）", "High (core business stops)"),
    _n(
        "很高（重大损失或监管处罚）",
        "很高（重大損失或監管處罰）",
        "Very high (major loss or sanction)",
    ),
]
LEVELS_5 = [
    {"names": _n("很低", "很低", "Very low"), "colour": "green", "meaning": "acceptable"},
    {"names": _n("低", "低", "Low"), "colour": "lime", "meaning": "acceptable"},
    {"names": _n("中", "中", "Medium"), "colour": "yellow", "meaning": "tolerable"},
    {"names": _n("高", "高", "High"), "colour": "orange", "meaning": "unacceptable"},
    {"names": _n("很高", "很高", "Very high"), "colour": "red", "meaning": "unacceptable"},
]

SHIPPED: dict[str, dict[str, Any]] = {
    "5x5": {
        "name": "5×5 风险矩阵（GB/T 20984 相乘法）",
        "definition": {
            "likelihood": LIKELIHOOD_5,
            "impact": IMPACT_5,
            "levels": LEVELS_5,
            "grid": _grid(5, 5, [4, 8, 12, 20]),
        },
    },
    "4x4": {
        "name": "4×4 风险矩阵",
        "definition": {
            "likelihood": [LIKELIHOOD_5[i] for i in (1, 2, 3, 4)],
            "impact": [IMPACT_5[i] for i in (1, 2, 3, 4)],
            "levels": [LEVELS_5[i] for i in (1, 2, 3, 4)],
            "grid": _grid(4, 4, [3, 6, 12]),
        },
    },
    "3x3": {
        "name": "3×3 风险矩阵",
        "definition": {
            "likelihood": [LIKELIHOOD_5[i] for i in (1, 2, 3)],
            "impact": [IMPACT_5[i] for i in (1, 2, 3)],
            "levels": [LEVELS_5[i] for i in (1, 2, 3)],
            "grid": _grid(3, 3, [3, 6]),
        },
    },
}
