"""A plan version as readable text, section by section in GB/T 29639 order: what reviewers
compare between versions and what the exported document is made of."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from django.utils.translation import gettext as _

from yingji.org.choices import GroupKind
from yingji.org.criteria import parse_conditions
from yingji.plans.choices import Section
from yingji.plans.models import PlanStep, PlanVersion

TEXT_SECTIONS = (
    Section.SCOPE,
    Section.DATA_RECOVERY,
    Section.BUSINESS,
    Section.RESOURCES,
    Section.CONTACTS,
)


def duties(version: PlanVersion) -> list[tuple[str, str]]:
    """(group, its duties) in the reader's language."""
    return [(str(GroupKind(d["group"]).label), d["duties"]) for d in version.group_duties]


def duty_lines(version: PlanVersion) -> list[str]:
    return [_("%(group)s: %(duties)s") % {"group": g, "duties": t} for g, t in duties(version)]


def conditions(version: PlanVersion) -> list[str]:
    return [str(c) for c in parse_conditions(version.criteria)] if version.criteria else []


def criteria_lines(version: PlanVersion) -> list[str]:
    return conditions(version) + version.criteria_text.splitlines()


def step_heading(step: PlanStep) -> str:
    parts = [f"{step.position}. {step.title}", step.get_group_display()]
    if step.when:
        parts.append(_("when: %(when)s") % {"when": step.when})
    if step.where:
        parts.append(_("where: %(where)s") % {"where": step.where})
    if step.expected_minutes is not None:
        parts.append(_("%(n)d min") % {"n": step.expected_minutes})
    if step.after:
        parts.append(_("after step %(n)d") % {"n": step.after})
    return " · ".join(parts)


def step_lines(steps: list[PlanStep]) -> list[str]:
    lines = []
    for step in steps:
        lines.append(step_heading(step))
        lines.extend(f"    {line}" for line in step.how.splitlines() if line.strip())
        lines.extend(f"    ☐ {item}" for item in step.checklist)
    return lines


def section_lines(version: PlanVersion) -> dict[str, list[str]]:
    """Every section of the version as lines of text."""
    lines = {str(s): getattr(version, s).splitlines() for s in TEXT_SECTIONS}
    lines[Section.DUTIES] = duty_lines(version)
    lines[Section.CRITERIA] = criteria_lines(version)
    lines[Section.STEPS] = step_lines(list(version.steps.all()))
    return {s: lines[s] for s in Section.values if s in lines}


@dataclass(frozen=True)
class SectionDiff:
    section: str
    label: str
    lines: list[tuple[str, str]]  # ("=" | "+" | "-", text)

    @property
    def changed(self) -> bool:
        return any(op != "=" for op, _text in self.lines)


def version_diff(old: PlanVersion, new: PlanVersion) -> list[SectionDiff]:
    """What changed from `old` to `new`, line by line within each section."""
    before, after = section_lines(old), section_lines(new)
    return [
        SectionDiff(
            section, str(Section(section).label), _line_diff(before[section], after[section])
        )
        for section in before
    ]


def _line_diff(a: list[str], b: list[str]) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            lines.extend(("=", line) for line in a[i1:i2])
            continue
        lines.extend(("-", line) for line in a[i1:i2])
        lines.extend(("+", line) for line in b[j1:j2])
    return lines
