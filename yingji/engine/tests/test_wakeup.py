"""An idle engine starts on new work when it is committed, not at its next poll: through
LISTEN/NOTIFY on PostgreSQL (any process, any machine), through the process on SQLite."""

import threading
import time

from django.db import connection, transaction
from django.test import TransactionTestCase

from yingji.engine.loop import Engine
from yingji.engine.wakeup import CHANNEL, Waiter, wake_engines
from yingji.notify.services import notify
from yingji.notify.tests.peers import robot_behind_webhook

LONG_POLL = 60.0  # without a wake-up the engine would sleep this long


class AnIdleEngineWakesOnCommit(TransactionTestCase):
    def test_a_committed_notice_is_sent_long_before_the_next_poll(self):
        robot, channel = robot_behind_webhook(self)
        engine = Engine(idle_seconds=LONG_POLL)
        thread = threading.Thread(target=self._run, args=(engine,))
        thread.start()
        self.addCleanup(thread.join)
        self.addCleanup(engine.stop.set)
        self.assertTrue(self._went_idle(engine))  # its first cycle found nothing
        committed = time.monotonic()
        notify(event="note", title="唤醒", channels=[channel])
        self.assertTrue(robot.wait_for_requests(1, timeout=LONG_POLL / 4))
        self.assertLess(time.monotonic() - committed, LONG_POLL / 4)

    @staticmethod
    def _went_idle(engine: Engine) -> bool:
        """Its first cycle is done; from there it waits up to LONG_POLL for work."""
        cycled = threading.Event()
        deadline = time.monotonic() + LONG_POLL / 4
        while not engine._cycles and time.monotonic() < deadline:
            cycled.wait(0.01)  # looks at a condition, not at a guessed duration
        return bool(engine._cycles)

    @staticmethod
    def _run(engine: Engine) -> None:
        try:
            engine.run_forever()
        finally:
            connection.close()

    def test_work_rolled_back_wakes_nobody(self):
        waiter = Waiter(threading.Event())
        self.addCleanup(waiter.close)
        with self.assertRaises(RuntimeError), transaction.atomic():
            wake_engines()
            raise RuntimeError("the change failed")
        self.assertFalse(waiter._woken(0.3))
        with transaction.atomic():
            wake_engines()
        self.assertTrue(waiter._woken(5))

    def test_a_stop_ends_the_wait_at_once(self):
        stop = threading.Event()
        waiter = Waiter(stop)
        self.addCleanup(waiter.close)
        threading.Timer(0.2, stop.set).start()
        started = time.monotonic()
        waiter.wait(LONG_POLL)
        self.assertLess(time.monotonic() - started, LONG_POLL / 4)


class AfterALostConnectionTheEngineListensAgain(TransactionTestCase):
    def test_a_killed_listener_connection_is_replaced_and_notifies_arrive_again(self):
        waiter = Waiter(threading.Event())
        self.addCleanup(waiter.close)
        if connection.vendor != "postgresql":  # wake-ups go through the process: none to lose
            waiter.wait(0)
            self.assertIsNone(waiter.listener)
            return
        pid = waiter.listener.info.backend_pid
        with connection.cursor() as cursor:  # what a database restart does to it
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        self.assertFalse(waiter._woken(0.5))  # the loss is noticed; it polls meanwhile
        self.assertIsNone(waiter.listener)
        waiter.wait(0)  # its next wait listens again
        self.assertIsNotNone(waiter.listener)
        self.assertNotEqual(waiter.listener.info.backend_pid, pid)
        with connection.cursor() as cursor:  # from another connection, as another worker
            cursor.execute(f"NOTIFY {CHANNEL}")
        self.assertTrue(waiter._woken(5))
