"""R-RES-1: labels whose QR opens the shelf's or the spare's page, and the stocktake walk
that finds what is missing and what does not belong."""

from __future__ import annotations

import pypdfium2
import zxingcpp
from django.conf import settings

from yingji.core.actors import SYSTEM
from yingji.core.errors import AccessDenied, DomainError
from yingji.org.testing import CastTestCase
from yingji.reserves import services
from yingji.reserves.tests.helpers import build_store


def decoded(pdf: bytes) -> list[str]:
    """The QR codes on every page of a PDF, as a phone would read them off the print."""
    found: list[str] = []
    for page in pypdfium2.PdfDocument(pdf):
        found.extend(code.text for code in zxingcpp.read_barcodes(page.render(scale=4).to_pil()))
    return found


class Labels(CastTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.place = build_store(self.cast)
        self.server = services.item_receive(
            actor=SYSTEM,
            reserve_class=self.place["server"],
            location=self.place["shelf"],
            tag="SRV-01",
        )

    def test_the_store_sheet_holds_every_location_and_spare_and_the_qr_opens_its_page(self):
        self.login("staff")
        sheet = self.client.get(f"/reserves/stores/{self.place['store'].pk}/labels.pdf")
        self.assertEqual((sheet.status_code, sheet["Content-Type"]), (200, "application/pdf"))
        base = settings.BASE_URL
        self.assertEqual(
            sorted(decoded(sheet.content)),
            sorted(
                [
                    f"{base}/reserves/locations/{self.place['shelf'].pk}/",
                    f"{base}/reserves/locations/{self.place['other'].pk}/",
                    f"{base}/reserves/items/{self.server.pk}/",
                ]
            ),
        )
        tape = self.client.get(f"/reserves/items/{self.server.pk}/label.pdf?layout=tape")
        self.assertEqual(decoded(tape.content), [f"{base}/reserves/items/{self.server.pk}/"])
        self.assertEqual(len(pypdfium2.PdfDocument(tape.content)), 1)
        self.login("vendor")
        self.assertEqual(
            self.client.get(f"/reserves/items/{self.server.pk}/label.pdf").status_code, 404
        )


class Stocktake(CastTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.place = build_store(self.cast)
        receive = services.item_receive
        self.here = [
            receive(
                actor=SYSTEM,
                reserve_class=self.place["server"],
                location=self.place["shelf"],
                tag=f"SRV-0{n}",
            )
            for n in range(3)
        ]
        self.elsewhere = receive(
            actor=SYSTEM,
            reserve_class=self.place["server"],
            location=self.place["other"],
            tag="SRV-09",
        )

    def test_the_walk_finds_the_missing_and_the_misplaced(self):
        walk = services.stocktake_start(actor=self.executor, location=self.place["shelf"])
        services.stocktake_mark(actor=self.executor, walk=walk, scanned="SRV-00")
        services.stocktake_mark(
            actor=self.executor,
            walk=walk,
            scanned=f"{settings.BASE_URL}/reserves/items/{self.here[1].pk}/",
        )
        services.stocktake_mark(actor=self.executor, walk=walk, scanned="SRV-09")
        with self.assertRaises(DomainError) as unknown:
            services.stocktake_mark(actor=self.executor, walk=walk, scanned="NOPE")
        self.assertEqual(unknown.exception.field, "scanned")
        with self.assertRaises(AccessDenied):
            services.stocktake_mark(actor=self.staff, walk=walk, scanned="SRV-02")
        done = services.stocktake_finish(actor=self.executor, walk=walk)
        self.assertEqual((done.missing, done.misplaced), (["SRV-02"], ["SRV-09"]))
        with self.assertRaises(DomainError):
            services.stocktake_mark(actor=self.executor, walk=walk, scanned="SRV-02")

    def test_scanning_a_label_opens_the_item_with_one_tap_to_mark_it(self):
        self.login("executor")
        started = self.client.post(f"/reserves/locations/{self.place['shelf'].pk}/stocktake/")
        walk_url = started["Location"]
        page = self.client.get(f"/reserves/items/{self.here[2].pk}/").content.decode()
        self.assertIn('id="walk"', page)
        marked = self.client.post(walk_url + "seen/", {"scanned": "SRV-02", "back": walk_url})
        self.assertEqual(marked["Location"], walk_url)
        self.assertIn(
            "1 seen of 3 expected",
            self.client.get(walk_url, HTTP_ACCEPT_LANGUAGE="en").content.decode(),
        )
