"""An incoming alert pages whoever is on duty, then the next person when nobody acknowledges
in time, repeated as the policy says; acknowledging (认领) stops it, resolving ends it; the
policy is a snapshot taken when the alert opened. The clock is controlled, never slept."""

import json
from datetime import UTC, date, datetime, time, timedelta

import time_machine

from yingji.core.actors import SYSTEM
from yingji.core.errors import AccessDenied, DomainError
from yingji.core.ratelimit import reset_budgets
from yingji.engine.loop import Engine
from yingji.intake import services as intake
from yingji.intake.models import IncomingAlert
from yingji.intake.tests.engine import tell
from yingji.intake.tests.test_pagerduty import EXAMPLE
from yingji.notify.models import Channel, Delivery, Message
from yingji.notify.services import channel_save
from yingji.oncall import services
from yingji.oncall.escalation import policy_create
from yingji.oncall.models import Escalation, EscalationPolicy, EscalationStep
from yingji.org.models import Person
from yingji.org.testing import CastTestCase
from yingji.org.tests.test_api import ApiTestCase

T0 = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai


class Escalations(CastTestCase):
    def setUp(self) -> None:
        super().setUp()
        reset_budgets()
        self.roster = services.roster_create(actor=SYSTEM, name="运维值班")
        services.layer_add(
            actor=SYSTEM,
            roster=self.roster,
            name="白班",
            rotation="daily",
            handoff=time(9),
            start_date=date(2026, 9, 28),
            members=[self.executor_person, self.expert_person],
        )
        self.policy = policy_create(
            actor=SYSTEM,
            name="先值班后主管",
            repeat=1,
            steps=[
                {"target": "roster", "roster": self.roster, "delay_minutes": 0},
                {"target": "person", "person": self.head_person, "delay_minutes": 5},
            ],
        )
        _integration, self.key = intake.integration_create(
            actor=SYSTEM,
            name="Zabbix",
            kind="pagerduty",
            escalation_policy=self.policy,
            group_window_minutes=0,  # each alert pages on its own here
        )

    def trigger(self, at: datetime, key: str = "srv01/mysql") -> IncomingAlert:
        with time_machine.travel(at, tick=False):
            body = {**EXAMPLE, "routing_key": self.key, "dedup_key": key}
            answer = self.client.post(
                "/v2/enqueue", json.dumps(body), content_type="application/json"
            )
            self.assertEqual(answer.status_code, 202, answer.content)
            tell()  # the engine's next cycle takes the policy's snapshot
        return IncomingAlert.objects.get(dedup_key=key, state="triggered")

    def run_at(self, at: datetime) -> None:
        with time_machine.travel(at, tick=False):
            Engine().run_cycle()

    def paged(self) -> list[str]:
        """Who each escalation notice went to, in order."""
        return [
            ",".join(sorted({d.person.full_name for d in m.deliveries.all() if d.person}))
            for m in Message.objects.filter(event="oncall.page").order_by("pk")
        ]

    def test_on_duty_first_then_the_head_then_once_more_then_it_stops(self):
        on_duty, head = self.executor_person.full_name, self.head_person.full_name
        self.trigger(T0)
        self.assertFalse(Message.objects.filter(event="intake.triggered").exists())
        self.run_at(T0)
        self.assertEqual(self.paged(), [on_duty])
        self.run_at(T0 + timedelta(minutes=4, seconds=59))
        self.assertEqual(self.paged(), [on_duty])  # not yet
        self.run_at(T0 + timedelta(minutes=5))
        self.assertEqual(self.paged(), [on_duty, head])
        self.run_at(T0 + timedelta(minutes=6))  # a repeated round waits at least a minute
        self.run_at(T0 + timedelta(minutes=11))
        self.assertEqual(self.paged(), [on_duty, head, on_duty, head])
        self.run_at(T0 + timedelta(hours=2))
        self.assertEqual(len(self.paged()), 4)
        self.assertEqual(Escalation.objects.get().ended, "exhausted")

    def test_acknowledging_stops_the_escalation_and_resolving_ends_it(self):
        alert = self.trigger(T0)
        self.run_at(T0)
        with time_machine.travel(T0 + timedelta(minutes=2), tick=False):
            self.login("executor")
            page = self.client.get(f"/intake/alerts/{alert.pk}/")
            self.assertContains(page, "先值班后主管")
            self.assertContains(page, self.executor_person.full_name)  # paged at step 1
            self.assertContains(page, "Step 2 at")
            self.client.post(f"/intake/alerts/{alert.pk}/acknowledge/")
        self.run_at(T0 + timedelta(minutes=30))
        self.assertEqual(len(self.paged()), 1)
        self.assertEqual(Escalation.objects.get().ended, "acknowledged")
        other = self.trigger(T0, key="srv02/disk")
        with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
            body = {"routing_key": self.key, "event_action": "resolve", "dedup_key": "srv02/disk"}
            self.client.post("/v2/enqueue", json.dumps(body), content_type="application/json")
        self.run_at(T0 + timedelta(minutes=30))
        self.assertEqual(Escalation.objects.get(alert=other).ended, "resolved")

    def test_the_next_shift_is_paged_after_the_handoff_and_the_snapshot_holds(self):
        self.trigger(T0 + timedelta(hours=23, minutes=30))  # Tuesday 09:30: the second person
        EscalationStep.objects.filter(policy=self.policy, position=1).update(
            person=self.staff_person
        )  # a later change of the policy reroutes nothing under way
        self.run_at(T0 + timedelta(hours=23, minutes=30))
        self.run_at(T0 + timedelta(hours=23, minutes=35))
        self.assertEqual(self.paged(), [self.expert_person.full_name, self.head_person.full_name])

    def test_nobody_on_duty_pages_the_office(self):
        self.trigger(T0 - timedelta(days=2))  # before the rotation's first shift
        self.run_at(T0 - timedelta(days=2))
        escalation = Escalation.objects.get()
        self.assertTrue(escalation.told[0]["nobody_on_duty"])
        office = set(
            intake.recipients(escalation.alert.integration)
        )  # the office, as no one is named
        self.assertEqual(set(escalation.told[0]["people"]), {p.pk for p in office})

    def test_a_policy_is_checked_whole(self):
        for steps, words in (
            ([], "1 to 10 steps"),
            ([{"target": "roster", "roster": 999}], "does not exist"),
            ([{"target": "person", "person": self.head_person, "delay_minutes": 2000}], "1440"),
            ([{"target": "fax"}], "whom it notifies"),
        ):
            with self.subTest(words=words), self.assertRaisesMessage(DomainError, words):
                policy_create(actor=SYSTEM, name=f"p {words}", steps=steps)
        with self.assertRaises(DomainError):
            policy_create(
                actor=self.staff, name="x", steps=[{"target": "person", "person": self.head_person}]
            )


class PolicySetup(ApiTestCase):
    def test_the_office_writes_a_policy_in_the_page_and_binds_an_integration_to_it(self):
        roster = services.roster_create(actor=SYSTEM, name="运维值班")
        self.login("office")
        form = {
            "name": "先值班后主管",
            "repeat": "2",
            "steps-TOTAL_FORMS": "4",
            "steps-INITIAL_FORMS": "0",
            "steps-MIN_NUM_FORMS": "0",
            "steps-MAX_NUM_FORMS": "10",
            "steps-0-target": "roster",
            "steps-0-roster": roster.pk,
            "steps-0-delay_minutes": "0",
            "steps-1-target": "person",
            "steps-1-person": self.head_person.pk,
            "steps-1-delay_minutes": "10",
            "steps-2-delay_minutes": "0",
            "steps-3-delay_minutes": "0",
        }
        missing = self.client.post("/oncall/policies/", {**form, "steps-1-person": ""})
        self.assertContains(missing, "Step 2")
        self.client.post("/oncall/policies/", form)
        policy = EscalationPolicy.objects.get()
        self.assertEqual(
            [(s.target, s.delay_minutes) for s in policy.steps.all()],
            [("roster", 0), ("person", 10)],
        )
        self.assertContains(self.client.get("/oncall/policies/"), "运维值班")
        self.client.post(
            "/intake/integrations/",
            {"name": "AM", "kind": "alertmanager", "escalation_policy": policy.pk},
        )
        self.assertEqual(intake.Integration.objects.get().escalation_policy, policy)
        self.login("staff")
        self.assertEqual(self.client.post("/oncall/policies/", form).status_code, 403)

    def test_the_api_creates_and_lists_policies(self):
        client = self.api("expert")
        roster = services.roster_create(actor=SYSTEM, name="值班")
        created = client.post(
            "/api/v1/oncall/policies/",
            {
                "name": "P1",
                "repeat": 0,
                "steps": [
                    {"target": "roster", "roster": roster.pk, "delay_minutes": 0},
                    {"target": "person", "person": self.head_person.pk, "delay_minutes": 15},
                ],
            },
            format="json",
        )
        self.assertEqual(created.status_code, 201, created.content)
        self.assertEqual(
            len(client.get("/api/v1/oncall/policies/").json()["results"][0]["steps"]), 2
        )
        bad = client.post(
            "/api/v1/oncall/policies/",
            {"name": "P2", "steps": [{"target": "person", "delay_minutes": 0}]},
            format="json",
        )
        self.assertEqual(bad.status_code, 400)


class SnoozeAndNoise(Escalations):
    def test_snooze_holds_the_next_step_and_noise_is_counted_per_rule(self):
        alert = self.trigger(T0)
        self.run_at(T0)
        with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
            self.login("executor")
            self.client.post(f"/intake/alerts/{alert.pk}/snooze/", {"minutes": "30"})
            self.client.post(f"/intake/alerts/{alert.pk}/noise/", {"reason": "磁盘告警阈值过低"})
        self.run_at(T0 + timedelta(minutes=10))  # step 2 was due at 5 minutes
        self.assertEqual(len(self.paged()), 1)
        self.run_at(T0 + timedelta(minutes=31))
        self.assertEqual(len(self.paged()), 2)
        self.assertEqual(IncomingAlert.objects.get().noise_reason, "磁盘告警阈值过低")
        with time_machine.travel(T0 + timedelta(minutes=32), tick=False):
            bad = self.client.post(f"/intake/alerts/{alert.pk}/snooze/", {"minutes": "9999"})
        self.assertEqual(bad.status_code, 302)  # refused with a message, nothing changed
        rows = intake.noise_by_rule(since=T0 - timedelta(days=1))
        self.assertEqual(
            [(r["integration"], r["alerts"], r["noise"]) for r in rows], [("Zabbix", 1, 1)]
        )
        self.login("office")
        self.assertContains(self.client.get("/intake/integrations/"), "Zabbix")
        self.login("staff")
        with time_machine.travel(T0 + timedelta(minutes=33), tick=False):
            self.assertEqual(
                self.client.post(f"/intake/alerts/{alert.pk}/noise/", {"reason": "x"}).status_code,
                403,
            )


class ContactRules(Escalations):
    def test_a_person_chooses_the_channels_that_page_them_per_severity(self):
        first = channel_save(
            actor=SYSTEM, channel=None, name="邮件", kind="capture", config={}, personal=True
        )
        channel_save(
            actor=SYSTEM, channel=None, name="短信", kind="capture", config={}, personal=True
        )
        Person.objects.filter(pk=self.executor_person.pk).update(email="chenlei@example.com")
        self.login("executor")
        page = self.client.get("/oncall/me/")
        self.assertContains(page, "短信")
        self.client.post("/oncall/me/", {"critical": [first.pk]})
        self.trigger(T0)  # the example event is critical
        self.run_at(T0)
        message = Message.objects.get(event="oncall.page")
        channels = set(
            Delivery.objects.filter(message=message, person=self.executor_person).values_list(
                "channel__name", flat=True
            )
        )
        self.assertEqual(channels, {None, "邮件"})  # the inbox and the chosen channel only
        self.login("staff")
        with self.assertRaises(AccessDenied):
            services.contact_rules_set(
                actor=self.staff, person=self.executor_person, rules={"critical": []}
            )
        self.assertTrue(Channel.objects.filter(name="短信").exists())

    def test_the_next_channels_page_a_person_still_unacknowledged_minutes_later(self):
        app = channel_save(
            actor=SYSTEM, channel=None, name="钉钉", kind="capture", config={}, personal=True
        )
        sms = channel_save(
            actor=SYSTEM, channel=None, name="短信", kind="capture", config={}, personal=True
        )
        Person.objects.filter(pk=self.executor_person.pk).update(email="chenlei@example.com")
        self.login("executor")
        self.client.post(
            "/oncall/me/", {"critical": [app.pk], "critical_then": [sms.pk], "critical_after": "3"}
        )
        bad = self.client.post("/oncall/me/", {"critical_then": [sms.pk], "critical_after": "0"})
        self.assertContains(bad, "1")  # the form refuses 0 minutes
        first = self.trigger(T0)
        self.run_at(T0)
        self.run_at(T0 + timedelta(minutes=2, seconds=59))
        self.assertFalse(Message.objects.filter(event="oncall.page_again").exists())
        self.run_at(T0 + timedelta(minutes=3))
        again = Message.objects.get(event="oncall.page_again")
        channels = set(
            Delivery.objects.filter(message=again, person=self.executor_person).values_list(
                "channel__name", flat=True
            )
        )
        self.assertEqual(channels, {None, "短信"})
        self.assertIn("Still not acknowledged", again.title)
        IncomingAlert.objects.filter(pk=first.pk).update(state="resolved")
        self.trigger(T0 + timedelta(hours=1), key="srv02/disk")  # acknowledged in time
        self.run_at(T0 + timedelta(hours=1))
        acknowledged = IncomingAlert.objects.get(dedup_key="srv02/disk")
        with time_machine.travel(T0 + timedelta(hours=1, minutes=1), tick=False):
            self.login("executor")
            self.client.post(f"/intake/alerts/{acknowledged.pk}/acknowledge/")
        self.run_at(T0 + timedelta(hours=1, minutes=5))
        self.assertEqual(Message.objects.filter(event="oncall.page_again").count(), 1)
        with self.assertRaisesMessage(DomainError, "1 to 60 minutes"):
            services.contact_rules_set(
                actor=SYSTEM, person=self.executor_person, rules={}, then={"critical": ([sms], 61)}
            )


class ContactRulesApi(ApiTestCase):
    def test_each_person_sets_their_own_rules_and_the_office_anyones(self):
        sms = channel_save(
            actor=SYSTEM, channel=None, name="短信", kind="capture", config={}, personal=True
        )
        app = channel_save(
            actor=SYSTEM, channel=None, name="钉钉", kind="capture", config={}, personal=True
        )
        executor = self.api("executor")
        body = {
            "person": self.executor_person.pk,
            "urgency": "critical",
            "channels": [app.pk],
            "then_channels": [sms.pk],
            "then_minutes": 5,
        }
        made = executor.post("/api/v1/oncall/contact-rules/", body, format="json")
        self.assertEqual(made.status_code, 201, made.content)
        self.assertEqual((made.json()["then_channels"], made.json()["then_minutes"]), ([sms.pk], 5))
        listed = executor.get("/api/v1/oncall/contact-rules/").json()["results"]
        self.assertEqual([r["urgency"] for r in listed], ["critical"])
        other = {**body, "person": self.staff_person.pk}
        self.assertEqual(
            executor.post("/api/v1/oncall/contact-rules/", other, format="json").status_code, 403
        )
        self.assertEqual(
            self.api("staff").get("/api/v1/oncall/contact-rules/").json()["results"], []
        )
        self.assertEqual(
            self.api("office")
            .post("/api/v1/oncall/contact-rules/", other, format="json")
            .status_code,
            201,
        )
        late = {**body, "then_minutes": 0}
        answer = executor.post("/api/v1/oncall/contact-rules/", late, format="json")
        self.assertEqual(answer.status_code, 400)
        self.assertIn("1 to 60 minutes", answer.content.decode())
