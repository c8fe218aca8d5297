"""The plan pages: everyone inside reads them; each role sees only its approval buttons; a
refused step comes back as a message and changes nothing."""

from django.urls import reverse

from yingji.plans.choices import VersionStatus
from yingji.plans.models import PlanVersion
from yingji.plans.tests.test_approval import PlanTestCase


class PlanPages(PlanTestCase):
    def test_the_leader_approves_from_the_page_and_outsiders_see_nothing(self):
        version = self.to_approval(self.draft())
        detail = reverse("plans:detail", args=[version.plan.pk])
        self.login("staff")
        self.assertContains(self.client.get(reverse("plans:list")), "信息系统故障专项应急预案")
        page = self.client.get(detail)
        self.assertContains(page, "切换备用系统")
        self.assertNotContains(page, "Approve")
        self.login("leader")
        self.assertContains(self.client.get(detail), "Approve")
        approve = reverse("plans:version_step", args=[version.plan.pk, 1, "approve"])
        self.client.post(approve, {"comment": "同意"})
        self.assertEqual(PlanVersion.objects.get(pk=version.pk).status, VersionStatus.APPROVED)
        self.login("outsider")
        self.assertEqual(self.client.get(detail).status_code, 404)

    def test_a_refused_step_is_a_message_not_an_error(self):
        version = self.draft()
        self.login("expert")
        url = reverse("plans:version_step", args=[version.plan.pk, 1, "nonsense"])
        response = self.client.post(url, follow=True)
        self.assertContains(response, "not possible")
        self.login("staff")
        submit = reverse("plans:version_step", args=[version.plan.pk, 1, "submit"])
        self.assertEqual(self.client.post(submit).status_code, 403)
        self.assertEqual(PlanVersion.objects.get(pk=version.pk).status, VersionStatus.DRAFT)
