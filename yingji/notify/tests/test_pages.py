"""Notification pages: inbox, receipts, delivery status, channels and broadcasts."""

from django.urls import reverse

from yingji.core.actors import SYSTEM
from yingji.engine.loop import Engine
from yingji.notify.choices import DeliveryStatus
from yingji.notify.models import Channel, Delivery, Message
from yingji.notify.services import channel_save, notify
from yingji.org.models import Person
from yingji.org.testing import ROLE_USERS, CastTestCase


class ReceiptsAndTheInbox(CastTestCase):
    def setUp(self) -> None:
        self.message = notify(
            event="note", title="机房断电演练", recipients=[self.staff_person], require_receipt=True
        )
        self.inbox_delivery = self.message.deliveries.get(person=self.staff_person, channel=None)

    def test_an_unconfirmed_notice_shows_as_a_banner_on_every_page_until_confirmed(self):
        self.login("staff")
        self.assertContains(self.client.get("/"), "Please confirm you have read: 机房断电演练")
        self.client.post(reverse("notify:receipt", args=[self.inbox_delivery.receipt_token]))
        self.assertNotContains(self.client.get("/"), "Please confirm you have read")
        self.assertIsNotNone(Delivery.objects.get(pk=self.inbox_delivery.pk).confirmed_at)

    def test_the_link_in_an_e_mail_confirms_without_logging_in(self):
        url = reverse("notify:receipt", args=[self.inbox_delivery.receipt_token])
        page = self.client.get(url)
        self.assertContains(page, "机房断电演练")
        self.assertIsNone(
            Delivery.objects.get(pk=self.inbox_delivery.pk).confirmed_at
        )  # GET only shows
        self.assertContains(self.client.post(url), "Receipt confirmed")
        self.assertEqual(
            self.client.get(reverse("notify:receipt", args=["forged"])).status_code, 404
        )

    def test_the_inbox_lists_my_notices_only(self):
        notify(event="note", title="别人的通知", recipients=[self.head_person])
        self.login("staff")
        page = self.client.get(reverse("notify:inbox"))
        self.assertContains(page, "机房断电演练")
        self.assertNotContains(page, "别人的通知")


class DeliveryPage(CastTestCase):
    def test_the_office_sees_every_delivery_and_live_counts(self):
        capture = channel_save(
            actor=SYSTEM, channel=None, name="全员群", kind="capture", config={}, all_staff=True
        )
        message = notify(
            event="broadcast",
            title="全员通知",
            recipients=[self.staff_person, self.head_person],
            broadcast=True,
        )
        Engine().run_cycle()
        self.login("office")
        page = self.client.get(reverse("notify:message_detail", args=[message.pk]))
        self.assertEqual(
            (page.context["message"].recipients, page.context["message"].delivered), (2, 1)
        )
        self.assertContains(page, "全员通知")
        self.assertContains(page, capture.name)
        self.assertContains(page, 'data-refresh="/notify/messages/')  # the one refresh (yingji.js)
        partial = self.client.get(
            reverse("notify:message_detail", args=[message.pk]),
            headers={"X-Requested-With": "fetch"},
        )
        self.assertNotContains(partial, "<html")
        self.assertContains(partial, 'id="counts"')

    def test_a_recipient_sees_only_their_own_delivery_and_others_nothing(self):
        message = notify(event="note", title="T", recipients=[self.staff_person, self.head_person])
        self.login("staff")
        page = self.client.get(reverse("notify:message_detail", args=[message.pk]))
        self.assertEqual([d.person for d in page.context["page"].object_list], [self.staff_person])
        self.login("vendor")
        self.assertEqual(
            self.client.get(reverse("notify:message_detail", args=[message.pk])).status_code, 404
        )


class ChannelsAndBroadcasts(CastTestCase):
    def test_only_managers_reach_channels_broadcasts_and_the_sent_list(self):
        for who in ROLE_USERS:
            self.login(who)
            for name in (
                "notify:channel_list",
                "notify:channel_new",
                "notify:broadcast",
                "notify:message_list",
            ):
                with self.subTest(who=who, page=name):
                    status = self.client.get(reverse(name)).status_code
                    self.assertEqual(status, 200 if who in ("admin", "office") else 403)

    def test_the_office_adds_a_dingtalk_robot_and_a_bad_secret_is_shown_on_its_field(self):
        self.login("office")
        form = {
            "name": "领导小组群",
            "kind": "dingtalk",
            "enabled": "on",
            "url": "https://oapi.dingtalk.com/robot/send?access_token=abc",
            "secret": "nope",
        }
        page = self.client.post(reverse("notify:channel_new"), form)
        self.assertContains(page, "A DingTalk signing secret starts with SEC.")
        self.assertFalse(Channel.objects.exists())
        self.client.post(reverse("notify:channel_new"), {**form, "secret": "SECabc123"})
        channel = Channel.objects.get()
        self.assertEqual(channel.config["secret"], "SECabc123")
        edit = self.client.get(reverse("notify:channel_edit", args=[channel.pk]))
        self.assertNotContains(edit, "SECabc123")  # secrets are never shown again
        self.client.post(reverse("notify:channel_edit", args=[channel.pk]), {**form, "secret": ""})
        self.assertEqual(Channel.objects.get().config["secret"], "SECabc123")  # empty keeps it

    def test_a_broadcast_reaches_every_active_person_and_the_all_staff_channels(self):
        channel_save(
            actor=SYSTEM, channel=None, name="全员群", kind="capture", config={}, all_staff=True
        )
        self.login("office")
        response = self.client.post(
            reverse("notify:broadcast"),
            {
                "title": "系统已恢复",
                "body": "应急结束",
                "require_receipt": "on",
                "escalate_minutes": "15",
            },
        )
        message = Message.objects.get(broadcast=True)
        self.assertRedirects(response, reverse("notify:message_detail", args=[message.pk]))
        people = Person.objects.filter(status="active").count()
        self.assertEqual(message.deliveries.filter(channel=None).count(), people)
        self.assertEqual(message.deliveries.filter(channel__all_staff=True).count(), 1)
        from yingji.engine.models import Timer

        reminder = Timer.objects.get(key=f"notify:receipts:{message.pk}:1")
        self.assertEqual(
            (reminder.handler, reminder.payload["step"]), ("notify.escalate_receipts", 1)
        )
        self.assertEqual(
            message.deliveries.filter(channel=None, status=DeliveryStatus.SENT).count(), people
        )

    def test_a_test_send_through_a_capture_channel_shows_what_would_have_been_sent(self):
        channel = channel_save(actor=SYSTEM, channel=None, name="演示", kind="capture", config={})
        self.login("office")
        response = self.client.post(reverse("notify:channel_test", args=[channel.pk]))
        message = Message.objects.get(event="test")
        self.assertRedirects(response, reverse("notify:message_detail", args=[message.pk]))
        Engine().run_cycle()
        page = self.client.get(reverse("notify:message_detail", args=[message.pk]))
        self.assertContains(page, "Test notice from Yingji")
        self.assertEqual(message.deliveries.get().status, DeliveryStatus.SENT)
