"""The engine: durable timers, periodic passes, leases and the reaper. The clock is controlled
with time-machine; nothing sleeps through a deadline."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import time_machine
from django.test import Client, TestCase, TransactionTestCase

from yingji.audit.models import AuditEvent
from yingji.audit.services import audit_record
from yingji.core.actors import SYSTEM
from yingji.engine import services
from yingji.engine.loop import Engine
from yingji.engine.models import PeriodicRun, Timer, TimerStatus, Worker
from yingji.engine.registry import PASSES, register_pass
from yingji.engine.services import register_timer_handler, timer_cancel, timer_schedule
from yingji.engine.testing import run_engines_in_parallel

T0 = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
CALLS: list[dict] = []


@register_timer_handler("test.record")
def record(payload: dict) -> None:
    CALLS.append(payload)
    audit_record(actor=SYSTEM, action="test.timer", reason=payload.get("n", ""))


@register_timer_handler("test.explode")
def explode(payload: dict) -> None:
    audit_record(actor=SYSTEM, action="test.half-done")  # rolled back with the failure
    raise RuntimeError("downstream said no")


class TimerTestCase(TestCase):
    def setUp(self) -> None:
        CALLS.clear()
        self.engine = Engine()

    def cycle_at(self, moment: datetime) -> int:
        with time_machine.travel(moment, tick=False):
            return self.engine.run_cycle()


class DurableTimers(TimerTestCase):
    def test_a_timer_fires_at_its_deadline_not_before_and_only_once(self):
        with time_machine.travel(T0, tick=False):
            timer_schedule(
                key="report:1:escalate",
                handler="test.record",
                due_at=T0 + timedelta(minutes=15),
                payload={"n": "1"},
            )
        self.cycle_at(T0 + timedelta(minutes=14, seconds=59))
        self.assertEqual(CALLS, [])
        self.cycle_at(T0 + timedelta(minutes=15))
        self.assertEqual(CALLS, [{"n": "1"}])
        self.cycle_at(T0 + timedelta(minutes=20))
        self.assertEqual(len(CALLS), 1)
        timer = Timer.objects.get(key="report:1:escalate")
        self.assertEqual((timer.status, timer.attempts), (TimerStatus.DONE, 1))

    def test_scheduling_the_same_key_twice_moves_the_one_timer(self):
        timer_schedule(key="k", handler="test.record", due_at=T0)
        timer_schedule(key="k", handler="test.record", due_at=T0 + timedelta(hours=1))
        self.assertEqual(Timer.objects.filter(key="k").count(), 1)
        self.assertEqual(Timer.objects.get(key="k").due_at, T0 + timedelta(hours=1))

    def test_a_cancelled_timer_never_fires(self):
        timer_schedule(key="k", handler="test.record", due_at=T0)
        self.assertTrue(timer_cancel(key="k"))
        self.cycle_at(T0 + timedelta(hours=1))
        self.assertEqual(CALLS, [])
        self.assertFalse(timer_cancel(key="k"))

    def test_a_failing_handler_is_retried_with_backoff_and_its_work_rolled_back(self):
        timer_schedule(key="k", handler="test.explode", due_at=T0)
        self.cycle_at(T0)
        timer = Timer.objects.get(key="k")
        self.assertEqual((timer.status, timer.attempts), (TimerStatus.QUEUED, 1))
        self.assertIn("downstream said no", timer.last_error)
        self.assertGreaterEqual(timer.due_at, T0 + timedelta(seconds=24))  # 30 s -20% jitter
        self.assertFalse(AuditEvent.objects.filter(action="test.half-done").exists())

    def test_after_the_last_attempt_the_timer_fails_with_its_reason_kept(self):
        timer_schedule(key="k", handler="test.explode", due_at=T0)
        moment = T0
        for _attempt in range(services.MAX_ATTEMPTS):
            self.cycle_at(moment)
            moment = Timer.objects.get(key="k").due_at + timedelta(seconds=1)
        timer = Timer.objects.get(key="k")
        self.assertEqual(
            (timer.status, timer.attempts), (TimerStatus.FAILED, services.MAX_ATTEMPTS)
        )
        self.assertIn("downstream said no", timer.last_error)

    def test_a_timer_without_a_handler_fails_with_a_reason_instead_of_vanishing(self):
        timer_schedule(key="k", handler="nobody.home", due_at=T0)
        self.cycle_at(T0)
        timer = Timer.objects.get(key="k")
        self.assertEqual(timer.status, TimerStatus.FAILED)
        self.assertIn("no handler registered as 'nobody.home'", timer.last_error)

    def test_timers_fire_in_deadline_order_in_bounded_batches(self):
        for n in range(services.TIMER_BATCH + 5):
            timer_schedule(
                key=f"k{n}",
                handler="test.record",
                due_at=T0 - timedelta(seconds=n),
                payload={"n": str(n)},
            )
        self.assertEqual(self.cycle_at(T0), services.TIMER_BATCH)
        self.assertEqual(CALLS[0], {"n": str(services.TIMER_BATCH + 4)})  # the oldest first
        self.assertEqual(self.cycle_at(T0), 5)


class LeasesAndTheReaper(TimerTestCase):
    def test_a_timer_abandoned_by_a_dead_worker_is_requeued_after_its_lease(self):
        timer_schedule(key="k", handler="test.record", due_at=T0)
        Timer.objects.filter(key="k").update(  # as a worker that died mid-handler left it
            status=TimerStatus.RUNNING, claim_token="dead", lease_until=T0 + services.TIMER_LEASE
        )
        self.cycle_at(T0 + timedelta(minutes=4))
        self.assertEqual(CALLS, [])  # the lease still holds
        self.cycle_at(T0 + services.TIMER_LEASE + timedelta(seconds=1))  # reaper requeues
        self.cycle_at(T0 + services.TIMER_LEASE + timedelta(seconds=2))
        self.assertEqual(len(CALLS), 1)
        self.assertEqual(Timer.objects.get(key="k").status, TimerStatus.DONE)

    def test_a_late_worker_cannot_overwrite_a_newer_claim(self):
        timer_schedule(key="k", handler="test.record", due_at=T0)
        Timer.objects.filter(key="k").update(status=TimerStatus.RUNNING, claim_token="new")
        stale = Timer.objects.get(key="k")
        stale.claim_token = "old"
        services._finish(stale, status=TimerStatus.DONE)
        self.assertEqual(Timer.objects.get(key="k").status, TimerStatus.RUNNING)

    def test_a_stopping_engine_hands_back_what_it_claimed_but_did_not_start(self):
        for n in range(3):
            timer_schedule(key=f"k{n}", handler="test.record", due_at=T0)
        self.engine.stop.set()
        with time_machine.travel(T0, tick=False):
            services.fire_due_timers(type("C", (), {"now": T0, "stopping": True})())
        self.assertEqual(CALLS, [])
        self.assertEqual(
            set(Timer.objects.values_list("status", "attempts")), {(TimerStatus.QUEUED, 0)}
        )


class PeriodicPassesAndHeartbeat(TimerTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.runs: list[str] = []

        @register_pass("test.every-minute", every=timedelta(minutes=1))
        def every_minute(cycle) -> int:
            self.runs.append(cycle.worker_id)
            return 1

        @register_pass("test.broken")
        def broken(cycle) -> int:
            raise ValueError("a bug in one pass")

        self.addCleanup(PASSES.pop, "test.every-minute")
        self.addCleanup(PASSES.pop, "test.broken")

    def test_a_periodic_pass_runs_once_per_period_across_engines(self):
        other = Engine()
        for engine in (self.engine, other):
            with time_machine.travel(T0, tick=False):
                engine.run_cycle()
        self.assertEqual(len(self.runs), 1)
        self.cycle_at(T0 + timedelta(seconds=30))
        self.assertEqual(len(self.runs), 1)
        with time_machine.travel(T0 + timedelta(seconds=61), tick=False):
            other.run_cycle()
        self.assertEqual(self.runs, [self.engine.worker_id, other.worker_id])
        self.assertEqual(PeriodicRun.objects.get(name="test.every-minute").last_items, 1)

    def test_a_broken_pass_does_not_stop_the_others(self):
        timer_schedule(key="k", handler="test.record", due_at=T0)
        self.cycle_at(T0)
        self.assertEqual(len(CALLS), 1)

    def test_the_heartbeat_shows_on_healthz_and_metrics(self):
        with time_machine.travel(T0, tick=False):
            self.engine.run_cycle()
            health = Client().get("/healthz").json()["engine"]
        self.assertEqual((health["status"], health["live_workers"]), ("ok", 1))
        with time_machine.travel(T0 + timedelta(minutes=2), tick=False):
            stale = Client().get("/healthz").json()["engine"]
            metrics = Client().get("/metrics").content.decode()
        self.assertEqual(stale["status"], "stale")
        self.assertIn("yingji_engine_live_workers 0.0", metrics)
        self.assertIn('yingji_engine_lag_seconds{pass="engine.timers"}', metrics)
        self.assertEqual(Worker.objects.get().cycles, 1)

    def test_the_lag_metric_reports_how_late_the_oldest_due_timer_is(self):
        timer_schedule(key="k", handler="test.record", due_at=T0)
        with time_machine.travel(T0 + timedelta(seconds=42), tick=False):
            metrics = Client().get("/metrics").content.decode()
        self.assertIn('yingji_engine_lag_seconds{pass="engine.timers"} 42.0', metrics)

    def test_metrics_can_require_a_token(self):
        with self.settings(METRICS_TOKEN="s3cret"):
            self.assertEqual(Client().get("/metrics").status_code, 401)
            ok = Client().get("/metrics", headers={"Authorization": "Bearer s3cret"})
            self.assertEqual(ok.status_code, 200)


class TwoEnginesNeverFireTheSameTimer(TransactionTestCase):
    """Real concurrency: on PostgreSQL SKIP LOCKED, on SQLite IMMEDIATE transactions."""

    def test_two_engines_in_parallel_fire_each_timer_exactly_once(self):
        CALLS.clear()
        total = 300
        # Small batches make the engines claim hundreds of times, interleaved with each other.
        batch = mock.patch.object(services, "TIMER_BATCH", 3)
        batch.start()
        self.addCleanup(batch.stop)
        for n in range(total):
            timer_schedule(key=f"race:{n}", handler="test.record", due_at=T0, payload={"n": str(n)})
        errors = run_engines_in_parallel(2)
        self.assertEqual(errors, [])
        fired = sorted(
            AuditEvent.objects.filter(action="test.timer").values_list("reason", flat=True)
        )
        self.assertEqual(fired, sorted(str(n) for n in range(total)))  # each once, none lost
        self.assertEqual(Timer.objects.filter(status=TimerStatus.DONE).count(), total)
