"""The checks an assessment passes before it is submitted (R-RISK-1). Each finding has a
stable code (the API returns it; documents and tests name it); errors block submission,
warnings are shown beside them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils.translation import gettext_lazy

from yingji.risks.choices import REGULATION_FAMILIES, Family, Knowledge, Mark, Treatment
from yingji.risks.matrices import Shape
from yingji.risks.models import Assessment, Risk

ERROR, WARNING = "error", "warning"
ASSET_YEAR = timedelta(days=365)

# code -> (severity, what it means), the list the user guide and the API docs show.
CHECKS: dict[str, tuple[str, Any]] = {
    "assessment_empty": (ERROR, gettext_lazy("The assessment has no risks.")),
    "risk_not_scored": (
        ERROR,
        gettext_lazy("A risk lacks its inherent, current or residual score."),
    ),
    "risk_carried_not_rescored": (
        ERROR,
        gettext_lazy("A risk carried over from last quarter has not been re-scored or closed."),
    ),
    "residual_above_current": (ERROR, gettext_lazy("The residual risk is above the current risk.")),
    "current_above_inherent": (
        WARNING,
        gettext_lazy("The current risk is above the inherent risk (measures that add risk?)."),
    ),
    "residual_lowered_without_measure": (
        ERROR,
        gettext_lazy("The residual risk is lower than the current one, but no measure says how."),
    ),
    "treatment_missing": (
        ERROR,
        gettext_lazy("A risk above the acceptable level has no treatment."),
    ),
    "accepted_without_acceptance": (
        ERROR,
        gettext_lazy("An unacceptable risk is accepted without the leadership group's acceptance."),
    ),
    "acceptance_expired": (ERROR, gettext_lazy("The leadership group's acceptance has expired.")),
    "acceptance_expires_soon": (
        WARNING,
        gettext_lazy("The acceptance expires before the end of the next quarter."),
    ),
    "high_risk_no_owner": (ERROR, gettext_lazy("An unacceptable risk has no treatment owner.")),
    "high_risk_no_due": (ERROR, gettext_lazy("An unacceptable risk has no treatment due date.")),
    "treatment_due_past": (ERROR, gettext_lazy("An open treatment's due date has passed.")),
    "knowledge_unjustified": (
        WARNING,
        gettext_lazy("The strength of knowledge is low or not stated, with no justification."),
    ),
    "asset_not_assessed": (
        WARNING,
        gettext_lazy("One of the department's assets has had no risk assessed for a year."),
    ),
    "family_missing": (
        WARNING,
        gettext_lazy("A risk family the regulation names (R-RISK-1) has no risk."),
    ),
}


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    risk: Risk | None = None

    @property
    def severity(self) -> str:
        return CHECKS[self.code][0]

    @property
    def blocking(self) -> bool:
        return self.severity == ERROR

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "risk": self.risk.pk if self.risk else None,
            "ref": self.risk.ref if self.risk else "",
        }


def quality_check(assessment: Assessment, today: date) -> list[Finding]:
    """Every finding on the assessment, errors first, each risk in number order."""
    risks = list(assessment.risks.select_related("owner").prefetch_related("acceptances"))
    shape = assessment.matrix.shape
    findings: list[Finding] = []
    if not risks:
        findings.append(_finding("assessment_empty"))
    for risk in risks:
        findings.extend(_risk_findings(risk, shape, today))
    findings.extend(_coverage_findings(assessment, risks, today))
    return sorted(findings, key=lambda f: (f.severity != ERROR, f.risk.number if f.risk else 0))


def blocking(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.blocking]


def _finding(code: str, risk: Risk | None = None, detail: str = "") -> Finding:
    message = str(CHECKS[code][1])
    if risk is not None:
        message = f"{risk.ref} {risk.title}: {message}"
    return Finding(code, f"{message} {detail}".strip(), risk)


def _risk_findings(risk: Risk, shape: Shape, today: date) -> list[Finding]:
    if risk.closed:
        return []  # closing needs a reason (services.risk_close); it is out of the checks
    found = []
    if risk.mark == Mark.CARRIED:
        found.append(_finding("risk_carried_not_rescored", risk))
    scores = (
        risk.inherent_likelihood,
        risk.inherent_impact,
        risk.current_likelihood,
        risk.current_impact,
        risk.residual_likelihood,
        risk.residual_impact,
    )
    if any(score is None for score in scores):
        return [*found, _finding("risk_not_scored", risk)]
    found.extend(_score_findings(risk))
    found.extend(_treatment_findings(risk, shape, today))
    if risk.knowledge in (Knowledge.UNKNOWN, Knowledge.LOW) and not risk.knowledge_note.strip():
        found.append(_finding("knowledge_unjustified", risk))
    return found


def _score_findings(risk: Risk) -> list[Finding]:
    assert risk.current_level is not None and risk.residual_level is not None
    found = []
    if risk.residual_level > risk.current_level:
        found.append(_finding("residual_above_current", risk))
    elif risk.residual_level < risk.current_level and not risk.treatment_plan.strip():
        found.append(_finding("residual_lowered_without_measure", risk))
    if risk.inherent_level is not None and risk.current_level > risk.inherent_level:
        found.append(_finding("current_above_inherent", risk))
    return found


def _treatment_findings(risk: Risk, shape: Shape, today: date) -> list[Finding]:
    level = shape.levels[risk.current_level or 0]
    found = []
    if not level.acceptable and risk.treatment == Treatment.UNDECIDED:
        found.append(_finding("treatment_missing", risk))
    if level.unacceptable:
        if risk.owner_id is None:
            found.append(_finding("high_risk_no_owner", risk))
        if risk.treatment_due is None and risk.treatment != Treatment.ACCEPT:
            found.append(_finding("high_risk_no_due", risk))
    if risk.treatment_due and risk.treatment_due < today and not risk.treatment_done:
        found.append(_finding("treatment_due_past", risk, risk.treatment_due.isoformat()))
    if risk.treatment == Treatment.ACCEPT and level.unacceptable:
        found.extend(_acceptance_findings(risk, today))
    return found


def _acceptance_findings(risk: Risk, today: date) -> list[Finding]:
    acceptances = [a for a in risk.acceptances.all() if a.revoked_at is None]
    if not acceptances:
        return [_finding("accepted_without_acceptance", risk)]
    latest = max(acceptances, key=lambda a: a.expires)
    if latest.expires < today:
        return [_finding("acceptance_expired", risk, latest.expires.isoformat())]
    if latest.expires < today + timedelta(days=183):
        return [_finding("acceptance_expires_soon", risk, latest.expires.isoformat())]
    return []


def _coverage_findings(assessment: Assessment, risks: list[Risk], today: date) -> list[Finding]:
    found = []
    families = {risk.family for risk in risks if not risk.closed}
    for family in REGULATION_FAMILIES:
        if family not in families:
            found.append(_finding("family_missing", None, str(Family(family).label)))
    for asset in _assets_unassessed(assessment, today):
        found.append(_finding("asset_not_assessed", None, f"{asset.code} {asset.name}"))
    return found


def _assets_unassessed(assessment: Assessment, today: date) -> list[Any]:
    """The department's active assets that no risk of its assessments (this one included)
    named in the past year."""
    from yingji.monitoring.models import Asset

    since = today - ASSET_YEAR
    assessed = (
        Risk.objects.filter(
            assessment__department_id=assessment.department_id,
            assessment__created_at__date__gte=since,
        )
        .filter(assets__isnull=False)
        .values("assets")
    )
    return list(
        Asset.objects.filter(owner_department_id=assessment.department_id, active=True)
        .exclude(pk__in=assessed)
        .order_by("code")[:20]
    )
