"""Who may do what, role by role, through the API and the pages alike (R-RISK-1, R-SCOPE-2).
Each action is tried on a fresh assessment; the answer is allowed (2xx/3xx) or refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from rest_framework.test import APIClient

from yingji.accounts.services import token_create
from yingji.org.testing import ROLE_USERS, CastTestCase
from yingji.risks import services
from yingji.risks.tests.helpers import add, complete, open_for

# role -> actions it may take ("see", "add", "submit", "approve", "accept", "campaign",
# "settings", "project")
ALLOWED = {
    "admin": {"see", "add", "submit", "campaign", "settings", "project"},
    "leader": {"see", "approve", "accept"},
    "office": {"see", "campaign", "settings", "project"},
    "expert": {"see"},
    "head": {"see", "add", "submit", "project"},
    "executor": set(),
    "staff": {"see", "add", "submit", "project"},  # the deputy head (AB角) acts for the head
    "vendor": set(),
    "outsider": set(),
}


class RoleByAction(CastTestCase):
    def api(self, who: str) -> APIClient:
        client = APIClient()
        _token, raw = token_create(actor=self.cast[who], user=self.cast[who], name="m")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    def attempt(self, who: str, action: str) -> bool:
        today = timezone.localdate()
        assessment = open_for(self.cs, 2027, 1 + len(self.seen) % 4)
        self.seen.append(assessment.pk)
        client = self.api(who)
        path = f"/api/v1/risks/assessments/{assessment.pk}/"
        if action == "see":
            return client.get(path).status_code == 200
        if action == "add":
            made = client.post(
                "/api/v1/risks/items/",
                {"assessment": assessment.pk, "title": "t", "family": "ageing"},
                format="json",
            )
            return made.status_code == 201
        complete(assessment, self.head_person, today)
        if action == "submit":
            return client.post(f"{path}submit/").status_code == 200
        if action in ("approve", "accept"):
            risk = add(
                assessment,
                "接受",
                current_likelihood=5,
                current_impact=5,
                inherent_likelihood=5,
                inherent_impact=5,
                residual_likelihood=5,
                residual_impact=5,
                treatment="accept",
                treatment_plan="",
            )
            if action == "accept":
                return (
                    client.post(
                        f"/api/v1/risks/items/{risk.pk}/accept/",
                        {"expires": (today + timedelta(days=90)).isoformat(), "note": "可"},
                        format="json",
                    ).status_code
                    == 201
                )
            services.acceptance_add(
                actor=self.leader, risk=risk, expires=today + timedelta(days=300), note="可"
            )
            services.assessment_submit(actor=self.head, assessment=assessment)
            return client.post(f"{path}approve/", {}, format="json").status_code == 200
        if action == "campaign":
            return (
                client.post(
                    "/api/v1/risks/campaigns/",
                    {"year": 2028, "quarter": 1 + len(self.seen) % 4, "reason": "改组"},
                    format="json",
                ).status_code
                == 201
            )
        if action == "settings":
            return (
                client.patch("/api/v1/risks/settings/", {"due_day": 25}, format="json").status_code
                == 200
            )
        if action == "project":
            return (
                client.post(
                    "/api/v1/risks/projects/",
                    {"code": f"P{len(self.seen)}", "name": "项目", "department": self.cs.pk},
                    format="json",
                ).status_code
                == 201
            )
        raise AssertionError(action)

    def test_each_role_may_take_exactly_its_actions(self):
        self.seen: list[int] = []
        actions = ("see", "add", "submit", "approve", "accept", "campaign", "settings", "project")
        got: dict[str, set[str]] = {}
        for who in ROLE_USERS:
            got[who] = set()
            for action in actions:
                sid = self.savepoint()
                try:
                    if self.attempt(who, action):
                        got[who].add(action)
                finally:
                    self.rollback(sid)
        self.assertEqual(got, ALLOWED)

    def savepoint(self) -> Any:
        from django.db import transaction

        return transaction.savepoint()

    def rollback(self, sid: Any) -> None:
        from django.db import transaction

        transaction.savepoint_rollback(sid)
