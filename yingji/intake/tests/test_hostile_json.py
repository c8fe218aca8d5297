"""Hostile JSON is a 400 that says where, at every entry point, never a 500 (issue 15)."""

from __future__ import annotations

import io
import json

from django.core.handlers.wsgi import WSGIRequest
from django.test import RequestFactory
from django.utils import timezone

from yingji.core.actors import SYSTEM
from yingji.core.ratelimit import reset_budgets
from yingji.intake import endpoints, services
from yingji.intake.models import IncomingAlert
from yingji.monitoring.services import agent_token_issue, asset_create
from yingji.org.testing import CastTestCase

LONE_SURROGATE = b'{"alerts": [{"status": "firing", "labels": {"alertname": "\\ud800"}}]}'
TOO_LARGE = b'{"alerts": [{"status": "firing", "labels": {"alertname": "x"}, "v": 1e999}]}'


class HostileBodies(CastTestCase):
    def setUp(self) -> None:
        reset_budgets()
        self.integration, self.key = services.integration_create(
            actor=SYSTEM, name="fuzz", kind="alertmanager"
        )

    def post(self, url: str, body: bytes, key: str | None = None):
        return self.client.post(
            url,
            body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {key or self.key}"},
        )

    def test_intake_refuses_a_lone_surrogate_and_infinity_saying_where(self):
        for body, where in (
            (LONE_SURROGATE, "alerts[0].labels.alertname"),
            (TOO_LARGE, "alerts[0].v"),
        ):
            with self.subTest(where=where):
                answer = self.post("/api/v1/intake/alertmanager", body)
                self.assertEqual(answer.status_code, 400, answer.content)
                self.assertIn(where, answer.json()["detail"])
        self.assertEqual(IncomingAlert.objects.count(), 0)

    def test_metrics_push_uses_the_same_reader(self):
        asset = asset_create(actor=self.cast["admin"], code="db", name="db", kind="server")
        token = agent_token_issue(actor=self.cast["admin"], asset=asset)
        answer = self.post("/api/v1/metrics", b'{"samples": [{"v": 1e999}]}', key=token)
        self.assertEqual(answer.status_code, 400, answer.content)
        self.assertIn("samples[0].v", answer.json()["detail"])

    def test_the_api_refuses_them_too_and_a_body_that_is_not_an_object(self):
        self.login("office")
        answer = self.client.post(
            "/api/v1/incidents/", b'{"title": "\\udc00"}', content_type="application/json"
        )
        self.assertEqual(answer.status_code, 400, answer.content)
        self.assertIn("title", answer.json()["detail"])
        for url in ("/api/v1/intake/alerts/1/snooze/", "/api/v1/intake/alerts/1/noise/"):
            with self.subTest(url=url):  # no such alert: 404 before the body is read
                answer = self.client.post(url, b"[1, 2]", content_type="application/json")
                self.assertEqual(answer.status_code, 404)
        alert = IncomingAlert.objects.create(
            integration=self.integration,
            dedup_key="k",
            summary="s",
            started_at=timezone.now(),
            last_received_at=timezone.now(),
        )
        answer = self.client.post(
            f"/api/v1/intake/alerts/{alert.pk}/snooze/", b"[1, 2]", content_type="application/json"
        )
        self.assertEqual(answer.status_code, 400, answer.content)

    def test_an_id_past_what_sqlite_stores_is_a_400_or_404(self):
        self.login("admin")
        huge = 2**64
        self.assertEqual(self.client.get(f"/api/v1/incidents/{huge}/").status_code, 404)
        answer = self.client.post(
            "/api/v1/oncall/rosters/", json.dumps({"name": "r"}), content_type="application/json"
        )
        roster = answer.json()["id"]
        layer = {
            "name": "l",
            "rotation": "daily",
            "handoff": "09:00",
            "start_date": "2026-01-01",
            "members": [huge],
        }
        answer = self.client.post(
            f"/api/v1/oncall/rosters/{roster}/layers/",
            json.dumps(layer),
            content_type="application/json",
        )
        self.assertEqual(answer.status_code, 400, answer.content)


class ChunkedBodies(CastTestCase):
    def test_a_chunked_body_is_read_not_taken_for_empty(self):
        reset_budgets()
        integration, key = services.integration_create(actor=SYSTEM, name="c", kind="alertmanager")
        body = json.dumps(
            {"alerts": [{"status": "firing", "labels": {"alertname": "Disk"}, "fingerprint": "f1"}]}
        ).encode()
        environ = RequestFactory()._base_environ(  # type: ignore[attr-defined]
            PATH_INFO="/api/v1/intake/alertmanager",
            REQUEST_METHOD="POST",
            CONTENT_TYPE="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
        environ.pop("CONTENT_LENGTH", None)  # what gunicorn passes for Transfer-Encoding: chunked
        environ["wsgi.input"] = io.BytesIO(body)
        environ["wsgi.input_terminated"] = True
        answer = endpoints.alertmanager(WSGIRequest(environ))
        self.assertEqual(answer.status_code, 202, answer.content)
        self.assertEqual(IncomingAlert.objects.get().dedup_key, "f1")
