"""R-RES-1: stock is the sum of the ledger, never negative, whatever the sequence of
movements; a refused movement changes nothing; the last spare goes to exactly one."""

from __future__ import annotations

import threading
from typing import Any

from django.db import connection
from django.test import TransactionTestCase
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from yingji.core.actors import SYSTEM
from yingji.core.errors import DomainError
from yingji.org.testing import build_cast
from yingji.reserves import services
from yingji.reserves.choices import ON_HAND, OUT, ItemStatus, Movement
from yingji.reserves.models import Item, Ledger
from yingji.reserves.tests.helpers import build_store

MOVES = st.lists(
    st.tuples(
        st.sampled_from([m for m in Movement.values if m != Movement.MOVED]),
        st.integers(min_value=1, max_value=6),
    ),
    max_size=25,
)


def sums(item: Item) -> tuple[int, int]:
    lines = list(Ledger.objects.filter(item=item).values_list("movement", "quantity"))
    on_hand = sum(ON_HAND.get(Movement(m), 0) * q for m, q in lines)
    out = sum(OUT.get(Movement(m), 0) * q for m, q in lines)
    return on_hand, out


class StockIsTheSumOfTheLedger(HypothesisTestCase):
    cast: dict[str, Any]
    place: dict[str, Any]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.cast = build_cast()
        cls.place = build_store(cls.cast)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(moves=MOVES)
    def test_any_sequence_keeps_stock_equal_to_the_ledger_and_never_negative(self, moves):
        item = services.item_receive(
            actor=SYSTEM,
            reserve_class=self.place["cable"],
            location=self.place["shelf"],
            tag="LOT-1",
            quantity=5,
        )
        for movement, quantity in moves:
            before = (item.on_hand, item.out, Ledger.objects.count())
            try:
                services.movement_post(
                    actor=SYSTEM, item=item, movement=movement, quantity=quantity
                )
            except DomainError:
                item.refresh_from_db()
                self.assertEqual((item.on_hand, item.out, Ledger.objects.count()), before)
            item.refresh_from_db()
            self.assertEqual((item.on_hand, item.out), sums(item))
            self.assertGreaterEqual(item.on_hand, 0)
            self.assertGreaterEqual(item.out, 0)


class Refusals(HypothesisTestCase):
    cast: dict[str, Any]
    place: dict[str, Any]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.cast = build_cast()
        cls.place = build_store(cls.cast)

    def test_more_than_in_stock_and_returning_what_never_left_are_refused_with_the_reason(self):
        lot = services.item_receive(
            actor=SYSTEM,
            reserve_class=self.place["cable"],
            location=self.place["shelf"],
            tag="LOT-2",
            quantity=3,
        )
        with self.assertRaises(DomainError) as too_many:
            services.movement_post(actor=SYSTEM, item=lot, movement="issued", quantity=4)
        self.assertIn("3", str(too_many.exception.message))
        with self.assertRaises(DomainError) as never_left:
            services.movement_post(actor=SYSTEM, item=lot, movement="returned", quantity=1)
        self.assertEqual(never_left.exception.field, "quantity")
        self.assertEqual(Ledger.objects.filter(item=lot).count(), 1)

    def test_a_serialised_spare_is_issued_returned_and_moved_with_its_status(self):
        server = services.item_receive(
            actor=SYSTEM,
            reserve_class=self.place["server"],
            location=self.place["shelf"],
            tag="SRV-01",
            serial="X1",
        )
        with self.assertRaises(DomainError):
            services.item_receive(
                actor=SYSTEM,
                reserve_class=self.place["server"],
                location=self.place["shelf"],
                tag="SRV-02",
                quantity=2,
            )
        services.movement_post(actor=SYSTEM, item=server, movement="issued")
        self.assertEqual(server.status, ItemStatus.ISSUED)
        with self.assertRaises(DomainError):
            services.movement_post(
                actor=SYSTEM, item=server, movement="moved", to_location=self.place["other"]
            )
        services.movement_post(actor=SYSTEM, item=server, movement="returned")
        services.movement_post(
            actor=SYSTEM, item=server, movement="moved", to_location=self.place["other"]
        )
        self.assertEqual(
            (server.status, server.location), (ItemStatus.AVAILABLE, self.place["other"])
        )

    def test_only_the_store_keepers_move_stock(self):
        from yingji.core.errors import AccessDenied

        lot = services.item_receive(
            actor=SYSTEM,
            reserve_class=self.place["cable"],
            location=self.place["shelf"],
            tag="LOT-3",
            quantity=3,
        )
        with self.assertRaises(AccessDenied):
            services.movement_post(actor=self.cast["staff"], item=lot, movement="issued")
        services.movement_post(actor=self.cast["expert"], item=lot, movement="issued")  # backup
        services.movement_post(actor=self.cast["office"], item=lot, movement="issued")


class TheLastSpare(TransactionTestCase):
    """Four people draw the last spare server at once: exactly one gets it."""

    def test_exactly_one_wins(self):
        cast = build_cast()
        place = build_store(cast)
        server = services.item_receive(
            actor=SYSTEM, reserve_class=place["server"], location=place["shelf"], tag="SRV-LAST"
        )
        wins: list[int] = []
        refusals: list[str] = []
        errors: list[Exception] = []

        def draw(n: int) -> None:
            try:
                services.movement_post(actor=SYSTEM, item=server, movement="issued", note=str(n))
                wins.append(n)
            except DomainError as exc:
                refusals.append(exc.code)
            except Exception as exc:  # reported below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=draw, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])
        self.assertEqual(len(wins), 1)
        self.assertEqual(refusals, ["conflict"] * 3)
        server.refresh_from_db()
        self.assertEqual((server.on_hand, server.out), (0, 1))
        self.assertEqual(Ledger.objects.filter(item=server, movement="issued").count(), 1)
