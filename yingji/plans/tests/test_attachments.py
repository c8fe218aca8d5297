"""A plan's diagrams and contact sheets belong to its version: added while a draft, frozen
once approved, copied into the next version, read by everyone who reads the plan."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from yingji.core.errors import DomainError
from yingji.incidents.tests.test_attachments import PNG
from yingji.plans import services
from yingji.plans.models import PlanAttachment
from yingji.plans.tests.test_approval import PlanTestCase


class PlanAttachments(PlanTestCase):
    def test_added_to_a_draft_frozen_when_approved_and_copied_to_the_next_version(self):
        version = self.draft()
        self.login("expert")
        url = reverse("plans:attachment_add", args=[version.plan.pk, 1])
        diagram = SimpleUploadedFile("网络拓扑.png", PNG, content_type="image/png")
        fake = SimpleUploadedFile("通讯录.pdf", b"MZ\x90\x00binary", content_type="application/pdf")
        self.client.post(url, {"attachments": [diagram, fake]}, follow=True)
        self.assertFalse(PlanAttachment.objects.exists())  # one bad file: nothing saved
        diagram.seek(0)
        response = self.client.post(url, {"attachments": [diagram]}, follow=True)
        self.assertContains(response, "网络拓扑.png")
        attachment = PlanAttachment.objects.get()
        self.login("staff")
        file_url = reverse("plans:attachment", args=[version.plan.pk, 1, attachment.pk])
        got = self.client.get(file_url)
        self.assertEqual((got.content, got["X-Content-Type-Options"]), (PNG, "nosniff"))
        self.assertEqual(self.client.post(url, {"attachments": [diagram]}).status_code, 403)
        self.login("outsider")
        self.assertEqual(self.client.get(file_url).status_code, 404)

        services.version_approve(actor=self.leader, version=self.to_approval(version))
        with self.assertRaises(DomainError):
            services.attachment_remove(actor=self.expert, attachment=attachment)
        with self.assertRaises(DomainError):
            services.attachment_add(actor=self.expert, version=version, files=[("a.png", PNG)])
        draft = services.version_new(actor=self.expert, plan=version.plan)
        copied = draft.attachments.get()
        self.assertEqual((copied.name, bytes(copied.data)), ("网络拓扑.png", PNG))
        services.attachment_remove(actor=self.expert, attachment=copied)
        self.assertEqual(version.attachments.count(), 1)  # the approved version keeps its file
