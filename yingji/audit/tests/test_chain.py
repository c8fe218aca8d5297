"""The audit trail is append-only and hash-chained: tampering of any kind is detected."""

import threading

from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TransactionTestCase
from django.urls import reverse
from django.utils import translation

from yingji.audit.models import AuditEvent, AuditHead
from yingji.audit.services import audit_record, audit_verify
from yingji.core.actors import SYSTEM
from yingji.org.services import person_update
from yingji.org.testing import ROLE_USERS, CastTestCase


class TheChainDetectsTampering(CastTestCase):
    def test_an_untouched_trail_verifies(self):
        self.assertGreater(AuditEvent.objects.count(), 20)
        self.assertEqual(audit_verify(), [])
        call_command("audit_verify")

    def test_an_edited_row_is_detected(self):
        victim = AuditEvent.objects.order_by("seq")[5]
        AuditEvent.objects.filter(pk=victim.pk).update(after={"name": "改过"})
        self.assertEqual(audit_verify(), [f"event {victim.seq} was altered after it was written"])
        with self.assertRaises(CommandError):
            call_command("audit_verify")

    def test_a_row_edited_with_a_recomputed_hash_breaks_the_next_link(self):
        from yingji.audit.services import _event_hash

        victim = AuditEvent.objects.order_by("seq")[5]
        victim.reason = "篡改"
        victim.hash = _event_hash(victim)
        AuditEvent.objects.filter(pk=victim.pk).update(reason=victim.reason, hash=victim.hash)
        self.assertIn(f"event {victim.seq + 1} does not follow the event before it", audit_verify())

    def test_a_deleted_row_in_the_middle_is_detected(self):
        AuditEvent.objects.filter(seq=7).delete()
        self.assertIn("events 7..7 are missing", audit_verify())

    def test_a_deleted_last_row_is_detected_by_the_head(self):
        last = AuditEvent.objects.order_by("-seq")[0]
        AuditEvent.objects.filter(pk=last.pk).delete()
        self.assertEqual(
            audit_verify(), [f"the chain should end at event {last.seq} but ends at {last.seq - 1}"]
        )

    def test_the_request_id_is_recorded(self):
        self.login("office")
        self.client.post(
            reverse("org:department_edit", args=[self.tech.pk]),
            {
                "code": "TECH",
                "name": "科技部",
                "kind": "technology",
                "sort_order": "0",
                "active": "on",
            },
            headers={"X-Request-ID": "req-abc-123"},
        )
        event = AuditEvent.objects.order_by("-seq")[0]
        self.assertEqual((event.request_id, event.actor_name), ("req-abc-123", "office"))


class TheAuditPage(CastTestCase):
    def test_only_administrators_and_the_office_read_the_trail(self):
        for who in ROLE_USERS:
            self.login(who)
            with self.subTest(who=who):
                status = self.client.get(reverse("audit:event_list")).status_code
                self.assertEqual(status, 200 if who in ("admin", "office") else 403)

    def test_filters_and_keyset_pages(self):
        self.login("admin")
        response = self.client.get(reverse("audit:event_list"), {"action": "org.membership"})
        actions = {e.action for e in response.context["events"]}
        self.assertEqual(actions, {"org.membership.add"})
        for i in range(40):
            audit_record(actor=SYSTEM, action="test.filler", reason=str(i))
        first = self.client.get(reverse("audit:event_list"))
        events = first.context["events"]
        self.assertEqual(len(events), 50)
        self.assertIn(f"before={events[-1].seq}", first.context["next_query"])
        second = self.client.get(reverse("audit:event_list"), {"before": events[-1].seq})
        self.assertLess(second.context["events"][0].seq, events[-1].seq)


class ConcurrentWritersKeepOneChain(TransactionTestCase):
    """Writers in parallel threads must serialise on the head: no fork, no gap, no duplicate."""

    def test_parallel_appends_form_one_valid_chain(self):
        errors: list[Exception] = []

        def writer(n: int) -> None:
            try:
                for i in range(10):
                    audit_record(actor=SYSTEM, action=f"test.thread{n}", reason=str(i))
            except Exception as exc:  # collected and asserted below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])
        self.assertEqual(AuditEvent.objects.count(), 40)
        self.assertEqual(AuditHead.objects.get(pk=1).seq, 40)
        self.assertEqual(audit_verify(), [])


class TheTrailInWords(CastTestCase):
    def test_actions_and_actors_are_shown_in_words_in_the_readers_language(self):
        person_update(actor=self.office, person=self.staff_person, changes={"title": "坐席组长"})
        audit_record(actor=SYSTEM, action="test.unnamed")
        self.login("office")
        page = self.client.get(reverse("audit:event_list"), {"action": "org.person.update"})
        self.assertContains(page, "Person: changed")
        self.assertNotContains(page, "<code>org.person.update</code>")
        self.assertContains(page, "李静")  # the office's name, not only the log-in
        with translation.override("zh-hans"):
            page = self.client.get(
                reverse("audit:event_list"),
                {"action": "org.person.update"},
                HTTP_ACCEPT_LANGUAGE="zh-hans",
            )
        self.assertContains(page, "人员：已修改")
        unnamed = self.client.get(reverse("audit:event_list"), {"action": "test.unnamed"})
        self.assertContains(unnamed, "test.unnamed")  # a code nobody named stays visible
        self.assertContains(unnamed, "Yingji")  # the system, not "system"
