"""The quarterly risk assessment report (R-RISK-1) as a Word document, per department or for
the whole company, in the shape of GB/T 29639 Annex A and GB/T 20984: cover with the approval
record, scope, method and matrix, assets, risk factors by family, the register, the heat map,
the change since last quarter, R&D projects' risks, the treatment plan, what treats each risk,
and the conclusions with the sign-off."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from yingji.core.word import WordDocument, shade
from yingji.monitoring.models import Asset
from yingji.org.queries import names_of_users
from yingji.risks import charts
from yingji.risks.choices import Family, Meaning, Treatment
from yingji.risks.links import LINK_KINDS
from yingji.risks.matrices import Shape
from yingji.risks.models import Assessment, Risk
from yingji.risks.quarters import label


def assessment_docx(assessment: Assessment) -> bytes:
    title = _("Risk assessment report %(quarter)s · %(department)s") % {
        "quarter": label(assessment.year, assessment.quarter),
        "department": assessment.project or assessment.department,
    }
    number = f"FX-{assessment.year}Q{assessment.quarter}-{assessment.department.code}"
    return _Report(title, number, [assessment]).build()


def company_docx(year: int, quarter: int) -> bytes:
    assessments = list(
        Assessment.objects.filter(year=year, quarter=quarter, project__isnull=True)
        .select_related("department", "co_department", "matrix", "approved_by", "submitted_by")
        .order_by("department__sort_order", "department__code")
    )
    title = _("Risk assessment report %(quarter)s · the whole company") % {
        "quarter": label(year, quarter)
    }
    return _Report(title, f"FX-{year}Q{quarter}", assessments, company=(year, quarter)).build()


class _Report:
    def __init__(
        self,
        title: str,
        number: str,
        assessments: list[Assessment],
        company: tuple[int, int] | None = None,
    ) -> None:
        self.title, self.number, self.company = title, number, company
        self.assessments = assessments
        self.doc = WordDocument(title=title, number=number, subject=_("Risk assessment report"))
        risks = (
            Risk.objects.filter(assessment__in=assessments)
            .select_related("owner", "assessment__department", "carried_from__assessment__matrix")
            .prefetch_related(
                Prefetch("assets", queryset=Asset.objects.only("code", "name")), "links"
            )
            .order_by(
                "assessment__department__sort_order", "assessment__department__code", "number"
            )
        )
        self.risks = list(risks)
        self.names = names_of_users(
            [u for a in assessments for u in (a.submitted_by_id, a.approved_by_id) if u]
        )

    def shape_of(self, risk: Risk) -> Shape:
        return next(a.matrix.shape for a in self.assessments if a.pk == risk.assessment_id)

    def build(self) -> bytes:
        sections = (
            (_("Scope"), self.scope),
            (_("Method and risk matrix"), self.method),
            (_("Assets and dependencies"), self.assets),
            (_("Risk factors by family"), self.factors),
            (_("Risk register"), self.register),
            (_("Heat map"), self.heat_map),
            (_("Change since last quarter"), self.change),
            (_("Technical risks of R&D projects"), self.projects),
            (_("Treatment plan and rectification"), self.treatment),
            (_("Plans, reserves, drills and monitoring that treat the risks"), self.links),
            (_("Conclusions and sign-off"), self.conclusions),
        )
        self.cover()
        self.doc.contents()
        for number, (heading, write) in enumerate(sections, start=1):
            self.doc.heading(f"{number} {heading}", level=1)
            write()
        return self.doc.content()

    # ---- sections

    def cover(self) -> None:
        self.doc.heading(self.title, level=0)
        self.doc.facts(
            [
                (_("Document number"), self.number),
                (_("Written"), f"{timezone.localdate():%Y-%m-%d}"),
            ]
        )
        self.doc.paragraph(_("Approval record"))
        rows = [
            (
                str(a.project or a.department),
                a.get_status_display(),
                self.names.get(a.submitted_by_id or 0, "—"),
                _day(a.submitted_at),
                self.names.get(a.approved_by_id or 0, "—"),
                _day(a.approved_at),
            )
            for a in self.assessments
        ]
        self.doc.table(
            [
                _("Assessed"),
                _("status"),
                _("Submitted by"),
                _("Submitted"),
                _("Approved by (leadership group)"),
                _("Approved"),
            ],
            rows,
        )

    def scope(self) -> None:
        for a in self.assessments:
            co = a.co_department.name if a.co_department else "—"
            self.doc.paragraph(
                _("%(who)s with %(co)s, %(quarter)s, due %(due)s.")
                % {
                    "who": a.project or a.department,
                    "co": co,
                    "quarter": label(a.year, a.quarter),
                    "due": a.due_date.isoformat(),
                }
            )
            self.doc.lines(a.scope.splitlines())

    def method(self) -> None:
        self.doc.paragraph(
            _(
                "Each risk is scored for likelihood and impact three times: inherent (without any "
                "measure), current (with the existing measures) and residual (after the planned "
                "treatment). The matrix gives each pair a level (GB/T 20984)."
            )
        )
        for matrix in {a.matrix_id: a.matrix for a in self.assessments}.values():
            shape = matrix.shape
            self.doc.paragraph(str(matrix))
            self.doc.table(
                [_("level"), _("meaning")], [(lv.name, _meaning(lv.meaning)) for lv in shape.levels]
            )
            self._grid(charts.heat_map(shape, []), counts=False)

    def assets(self) -> None:
        departments = [a.department_id for a in self.assessments]
        named = {asset.pk for risk in self.risks for asset in risk.assets.all()}
        rows = Asset.objects.filter(owner_department_id__in=departments, active=True).order_by(
            "code"
        )[:500]
        self.doc.table(
            [_("code"), _("name"), _("kind"), _("carries core business"), _("risks assessed")],
            [
                (
                    a.code,
                    a.name,
                    a.get_kind_display(),
                    _("yes") if a.core else "",
                    _("yes") if a.pk in named else _("no"),
                )
                for a in rows
            ],
        )

    def factors(self) -> None:
        by_family: dict[str, list[Risk]] = defaultdict(list)
        for risk in self.open_risks():
            by_family[risk.family].append(risk)
        for number, family in enumerate(Family, start=1):
            self.doc.heading(f"{number} {family.label}", level=2)
            self.doc.lines(
                [f"{self._ref(r)} {r.title}：{r.description}" for r in by_family[family]]
            )

    def register(self) -> None:
        rows = [
            (
                self._ref(r),
                r.title,
                r.get_family_display(),
                self._level(r, "inherent"),
                self._level(r, "current"),
                self._level(r, "residual"),
                r.get_treatment_display() if r.treatment else "—",
                r.owner.full_name if r.owner else "—",
                _day(r.treatment_due),
                r.get_mark_display(),
            )
            for r in self.risks
        ]
        self.doc.table(
            [
                _("number"),
                pgettext("risk", "title"),
                _("family"),
                _("inherent"),
                _("current"),
                _("residual"),
                _("treatment"),
                _("owner"),
                _("due"),
                _("mark"),
            ],
            rows,
        )

    def heat_map(self) -> None:
        by_matrix: dict[int, list[Risk]] = defaultdict(list)
        for risk in self.open_risks():
            by_matrix[risk.assessment.matrix_id].append(risk)
        for risks in by_matrix.values():
            shape = self.shape_of(risks[0])
            for stage, words in (("current", _("Current risk")), ("residual", _("Residual risk"))):
                self.doc.heading(str(words), level=2)
                self._grid(charts.heat_map(shape, charts.stage_pairs(risks, stage)), counts=True)

    def change(self) -> None:
        for a in self.assessments:
            mine = [r for r in self.risks if r.assessment_id == a.pk]
            rows, counts = charts.changes(a, mine)
            words = {
                "new": _("new"),
                "closed": pgettext("risk", "closed"),
                "carried": _("carried over, not re-scored"),
                "up": _("higher"),
                "down": _("lower"),
                "same": _("the same"),
                "unscored": _("not scored"),
            }
            summary = "，".join(f"{words[k]} {counts.get(k, 0)}" for k in words)
            self.doc.paragraph(f"{a.project or a.department}：{summary}")
            self.doc.table(
                [
                    _("number"),
                    pgettext("risk", "title"),
                    _("last quarter"),
                    _("this quarter"),
                    _("change"),
                ],
                [
                    (
                        r.risk.ref,
                        r.risk.title,
                        r.before.name if r.before else "—",
                        r.after.name if r.after else "—",
                        words[r.direction],
                    )
                    for r in rows
                    if r.direction != "same"
                ],
            )

    def projects(self) -> None:
        rows = Assessment.objects.filter(project__isnull=False).select_related("project", "matrix")
        if self.company is None:
            rows = rows.filter(department_id__in=[a.department_id for a in self.assessments])
        lines = []
        for a in rows.order_by("-created_at")[:50]:
            assert a.project is not None  # filtered above
            levels = charts.level_counts(
                a.matrix.shape,
                a.risks.exclude(mark="closed").values_list("current_level", flat=True),
            )
            counts = "，".join(f"{lv.name} {n}" for lv, n in levels if n)
            lines.append(
                f"{a.project}（{a.get_status_display()}，{a.project.get_status_display()}）："
                f"{counts or _('no risks')}"
            )
        self.doc.lines(lines)

    def treatment(self) -> None:
        rows = [
            (
                self._ref(r),
                r.title,
                r.get_treatment_display(),
                r.treatment_plan or "—",
                r.owner.full_name if r.owner else "—",
                _day(r.treatment_due),
                _("done") if r.treatment_done else _("open"),
            )
            for r in self.open_risks()
            if r.treatment and r.treatment != Treatment.UNDECIDED
        ]
        self.doc.table(
            [
                _("number"),
                pgettext("risk", "title"),
                _("treatment"),
                _("measures"),
                _("owner"),
                _("due"),
                _("status"),
            ],
            rows,
        )

    def links(self) -> None:
        rows = [
            (
                self._ref(r),
                r.title,
                str(LINK_KINDS[link.kind].label) if link.kind in LINK_KINDS else link.kind,
                link.label,
            )
            for r in self.open_risks()
            for link in r.links.all()
        ]
        self.doc.table([_("number"), pgettext("risk", "title"), _("kind"), _("name")], rows)

    def conclusions(self) -> None:
        for a in self.assessments:
            self.doc.paragraph(f"{a.project or a.department}：")
            self.doc.lines(a.conclusion.splitlines())
        self.doc.table(
            [_("Role"), _("Name"), _("Signature"), _("Date")],
            [
                (_("Head of the business department"), "", "", ""),
                (_("Head of the technology department"), "", "", ""),
                (_("Leadership group"), "", "", ""),
            ],
        )

    # ---- helpers

    def open_risks(self) -> list[Risk]:
        return [r for r in self.risks if not r.closed]

    def _ref(self, risk: Risk) -> str:
        if self.company is not None:
            return f"{risk.assessment.department.code}-{risk.ref}"
        return risk.ref

    def _level(self, risk: Risk, stage: str) -> str:
        level = getattr(risk, f"{stage}_level")
        if level is None:
            return "—"
        return (
            f"{self.shape_of(risk).levels[level].name}"
            f"（{getattr(risk, f'{stage}_likelihood')}×{getattr(risk, f'{stage}_impact')}）"
        )

    def _grid(self, heat: charts.HeatMap, *, counts: bool) -> None:
        header = [_("likelihood \\ impact"), *heat.impacts]
        rows = [
            [name, *[(str(c.count) if counts else c.level.name) for c in cells]]
            for name, cells in heat.rows
        ]
        table = self.doc.table(header, rows)
        for row_index, (_name, cells) in enumerate(heat.rows, start=1):
            for col_index, cell in enumerate(cells, start=1):
                shade(table.rows[row_index].cells[col_index], cell.level.hex)


def _meaning(value: str) -> str:
    return str(Meaning(value).label)


def _day(moment: Any) -> str:
    if not moment:
        return "—"
    if hasattr(moment, "hour"):
        moment = timezone.localtime(moment)
    return f"{moment:%Y-%m-%d}"
