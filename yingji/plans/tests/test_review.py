"""R-PLAN-3 with a controlled clock: the owner department's head and the office are reminded
30 days before the yearly review and on the day, each once."""

from datetime import UTC, date, datetime

import time_machine

from yingji.engine.loop import Engine
from yingji.notify.models import Message
from yingji.plans import services
from yingji.plans.models import Plan
from yingji.plans.tests.test_approval import PlanTestCase


class YearlyReview(PlanTestCase):
    def setUp(self) -> None:
        super().setUp()
        version = self.to_approval(self.draft())
        services.version_approve(actor=self.leader, version=version)
        Plan.objects.update(review_due=date(2027, 11, 28))
        org = self.tech
        org.head = self.expert_person
        org.save(update_fields=["head"])

    def run_engine_on(self, day: date) -> None:
        with time_machine.travel(datetime(day.year, day.month, day.day, 2, tzinfo=UTC), tick=False):
            Engine().run_cycle()

    def reminders(self) -> list[str]:
        return sorted(
            Message.objects.filter(key__contains=":review:").values_list("event", flat=True)
        )

    def test_thirty_days_before_and_on_the_day_each_once(self):
        self.run_engine_on(date(2027, 10, 28))  # 31 days before: nothing
        self.assertEqual(self.reminders(), [])
        self.run_engine_on(date(2027, 10, 29))  # 30 days before
        self.assertEqual(self.reminders(), ["plan.review_soon"])
        self.run_engine_on(date(2027, 10, 30))
        self.assertEqual(self.reminders(), ["plan.review_soon"])  # once
        message = Message.objects.get(event="plan.review_soon")
        told = set(
            message.deliveries.filter(channel=None).values_list("person__user__username", flat=True)
        )
        self.assertEqual(told, {"office", "expert"})
        self.run_engine_on(date(2027, 11, 28))
        self.run_engine_on(date(2027, 12, 5))
        self.assertEqual(self.reminders(), ["plan.review_due", "plan.review_soon"])
