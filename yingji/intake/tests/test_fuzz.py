"""Whatever a sender posts, the intake endpoints answer 202 or a 4xx, never a 500, and never
store a duplicate: random JSON, wrong types, missing fields, unicode, duplicate keys in one
object, and replays of accepted payloads."""

import json
from uuid import uuid4

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from yingji.core.actors import SYSTEM
from yingji.core.ratelimit import reset_budgets
from yingji.intake import services
from yingji.intake.models import IncomingAlert

text = st.text(max_size=40)
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text
anything = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=20,
)
labels = st.dictionaries(
    st.sampled_from(["alertname", "instance", "severity", "job", "告警"]),
    text | st.integers(),
    max_size=4,
)
am_alert = st.fixed_dictionaries(
    {
        "status": st.sampled_from(["firing", "resolved", "other", 1]),
        "labels": labels | anything,
        "annotations": st.dictionaries(st.sampled_from(["summary", "description"]), text)
        | anything,
        "startsAt": st.sampled_from(
            ["2026-11-28T10:00:00Z", "0001-01-01T00:00:00Z", "yesterday", "2026-11-28T10:00:00"]
        )
        | anything,
        "fingerprint": st.sampled_from(["f1", "f2", "f3"]) | anything,
    },
    optional={"endsAt": text, "generatorURL": text},
)
am_payload = (
    st.fixed_dictionaries(
        {"version": st.sampled_from(["4", 4, "3"]), "alerts": st.lists(am_alert, max_size=5)}
    )
    | anything
)
pd_event = st.fixed_dictionaries(
    {
        "event_action": st.sampled_from(["trigger", "acknowledge", "resolve", "snooze"]) | anything,
        "payload": st.fixed_dictionaries(
            {
                "summary": text,
                "source": text,
                "severity": st.sampled_from(["critical", "error", "warning", "info", "high"]),
            },
            optional={"custom_details": anything, "timestamp": text},
        )
        | anything,
    },
    optional={"dedup_key": st.sampled_from(["k1", "k2", ""]) | anything, "client_url": text},
)

SETTINGS = settings(
    max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


class IntakeFuzz(TestCase):  # each example in its own transaction
    def setUp(self) -> None:
        super().setUp()
        reset_budgets()
        self.am, self.am_key = services.integration_create(
            actor=SYSTEM, name=f"AM {uuid4()}", kind="alertmanager"
        )
        self.pd, self.pd_key = services.integration_create(
            actor=SYSTEM, name=f"PD {uuid4()}", kind="pagerduty"
        )

    def assert_one_open_alert_per_key(self) -> None:
        keys = list(
            IncomingAlert.objects.exclude(state="resolved").values_list(
                "integration_id", "dedup_key"
            )
        )
        self.assertEqual(len(keys), len(set(keys)))

    def post_am(self, body: str):
        return self.client.post(
            "/api/v1/intake/alertmanager",
            body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {self.am_key}"},
        )

    @SETTINGS
    @given(payload=am_payload)
    def test_alertmanager_answers_202_or_4xx_and_a_replay_changes_no_count(self, payload):
        with self.settings(YINGJI_INTAKE_RATE="100000/minute"):
            body = json.dumps(payload)
            first = self.post_am(body)
            self.assertIn(first.status_code, (202, 400), first.content)
            count = IncomingAlert.objects.count()
            replay = self.post_am(body)
            self.assertEqual(replay.status_code, first.status_code)
            self.assertEqual(IncomingAlert.objects.count(), count)  # idempotent
        self.assert_one_open_alert_per_key()

    @SETTINGS
    @given(event=pd_event)
    def test_pagerduty_answers_202_or_400_and_keeps_one_open_alert_per_key(self, event):
        with self.settings(YINGJI_INTAKE_RATE="100000/minute"):
            body = json.dumps(
                {**event, "routing_key": self.pd_key} if isinstance(event, dict) else event
            )
            answer = self.client.post("/v2/enqueue", body, content_type="application/json")
            self.assertIn(answer.status_code, (202, 400), answer.content)
        self.assert_one_open_alert_per_key()

    @SETTINGS
    @given(raw=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
    def test_bytes_that_are_not_json_are_a_400(self, raw):
        with self.settings(YINGJI_INTAKE_RATE="100000/minute"):
            for path, headers in (
                ("/api/v1/intake/alertmanager", {"Authorization": f"Bearer {self.am_key}"}),
                ("/v2/enqueue", {}),
            ):
                answer = self.client.post(
                    path, raw, content_type="application/json", headers=headers
                )
                self.assertIn(answer.status_code, (202, 400), (path, raw, answer.content))

    def test_duplicate_keys_in_one_object_take_the_last_as_json_does(self):
        body = (
            '{"routing_key": "' + self.pd_key + '", "event_action": "trigger", '
            '"dedup_key": "a", "dedup_key": "b", "payload": {"summary": "s", '
            '"source": "x", "severity": "info"}}'
        )
        answer = self.client.post("/v2/enqueue", body, content_type="application/json")
        self.assertEqual((answer.status_code, answer.json()["dedup_key"]), (202, "b"))

    def test_nan_and_nul_which_postgresql_cannot_store_are_a_400(self):
        event = (
            '{"routing_key": "' + self.pd_key + '", "event_action": "trigger", '
            '"payload": {"summary": "s", "source": "x", "severity": "info", '
            '"custom_details": {"load": LOAD}}}'
        )
        for load in ("NaN", "Infinity", "-Infinity", '"a\\u0000b"'):
            answer = self.client.post(
                "/v2/enqueue", event.replace("LOAD", load), content_type="application/json"
            )
            self.assertEqual(answer.status_code, 400, load)
        fine = self.client.post(
            "/v2/enqueue", event.replace("LOAD", "1"), content_type="application/json"
        )
        self.assertEqual(fine.status_code, 202)
        self.assertEqual(IncomingAlert.objects.count(), 1)

    def test_deeply_nested_json_is_a_400_not_a_crash(self):
        body = "[" * 100_000 + "]" * 100_000
        self.assertEqual(self.post_am(body).status_code, 400)
