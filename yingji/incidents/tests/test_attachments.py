"""R-RESP-3: screenshots with the report and during the response. The type comes from the
bytes, the size is limited, a bad file saves nothing, and only those who may see the
incident may read its files."""

import base64

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from yingji.core.errors import AccessDenied, DomainError
from yingji.incidents import services
from yingji.incidents.models import Attachment, Incident
from yingji.incidents.tests.test_pages import REPORT
from yingji.incidents.tests.test_response_flow import ResponseTestCase
from yingji.org.tests.test_api import ApiTestCase

# A real 1x1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


class Attachments(ApiTestCase, ResponseTestCase):
    def test_a_screenshot_comes_with_the_report_and_shows_to_those_who_see_the_incident(self):
        self.login("staff")
        shot = SimpleUploadedFile("登录报错.png", PNG, content_type="image/png")
        self.client.post(reverse("incidents:report"), {**REPORT, "attachments": [shot]})
        incident = Incident.objects.get()
        attachment = incident.attachments.get()
        self.assertEqual((attachment.name, attachment.content_type), ("登录报错.png", "image/png"))
        url = reverse("incidents:attachment", args=[incident.pk, attachment.pk])
        self.login("head")
        response = self.client.get(url)
        self.assertEqual(response.content, PNG)
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertTrue(response["Content-Disposition"].startswith("inline"))
        self.assertContains(self.client.get(reverse("incidents:detail", args=[incident.pk])), url)
        self.login("sales")
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_the_type_is_read_from_the_bytes_not_the_name(self):
        incident = self.report()
        for name, data in (("截图.png", EXE), ("readme.txt", EXE), ("x.pdf", b"")):
            with self.subTest(name=name), self.assertRaises(DomainError) as caught:
                services.attachment_add(actor=self.staff, incident=incident, files=[(name, data)])
            self.assertIn(name, str(caught.exception.message))
        services.attachment_add(
            actor=self.staff,
            incident=incident,
            files=[
                ("report", PDF),
                ("app.log", "2026-11-28 ERROR 登录失败\n".encode()),
            ],
        )
        self.assertEqual(
            list(incident.attachments.values_list("content_type", flat=True)),
            ["application/pdf", "text/plain"],
        )

    @override_settings(ATTACHMENT_MAX_MB=1)
    def test_a_bad_file_in_a_report_saves_nothing_at_all(self):
        self.login("staff")
        big = SimpleUploadedFile("big.png", PNG + b"\x00" * (1024 * 1024))
        response = self.client.post(reverse("incidents:report"), {**REPORT, "attachments": [big]})
        self.assertContains(response, "larger than 1 MB", status_code=400)
        self.assertEqual(Incident.objects.count(), 0)
        self.assertEqual(Attachment.objects.count(), 0)

    def test_during_the_response_people_taking_part_attach_and_others_cannot(self):
        incident = self.activated()
        services.attachment_add(actor=self.vendor, incident=incident, files=[("a.png", PNG)])
        with self.assertRaises(AccessDenied):
            services.attachment_add(actor=self.sales, incident=incident, files=[("a.png", PNG)])
        self.assertEqual(incident.timeline.filter(action="attachment").count(), 1)

    def test_the_api_uploads_lists_and_downloads(self):
        incident = self.activated()
        client = self.api("executor")
        base = f"/api/v1/incidents/{incident.pk}/attachments/"
        upload = client.post(
            base, {"files": [SimpleUploadedFile("a.png", PNG)]}, format="multipart"
        )
        self.assertEqual(upload.status_code, 204, upload.content)
        [row] = client.get(base).json()
        self.assertEqual(row["content_type"], "image/png")
        self.assertEqual(client.get(f"{base}{row['id']}/").content, PNG)
        bad = client.post(base, {"files": [SimpleUploadedFile("a.png", EXE)]}, format="multipart")
        self.assertEqual(bad.status_code, 400)
        self.assertEqual(self.api("sales").get(f"{base}{row['id']}/").status_code, 404)
