"""Each reader gets a notice in their language and their channel's format; personal chat
notices @ the person in the robot's group; apprise reaches the long tail."""

import email.charset
from typing import Any

from django.test import override_settings

from yingji.core.actors import SYSTEM
from yingji.core.errors import DomainError
from yingji.notify.choices import DeliveryStatus
from yingji.notify.models import Delivery, Message
from yingji.notify.rendering import EVENTS, notice_for, register_event, render_format
from yingji.notify.services import channel_save, notify
from yingji.notify.tests.peers import SmtpServer
from yingji.notify.tests.test_outbox import OutboxTestCase


def _locmem_templates(templates: dict[str, str]) -> list[dict]:
    """The project's template settings with some templates added in front (an override)."""
    from django.conf import settings

    config: dict[str, Any] = dict(settings.TEMPLATES[0])
    options: dict[str, Any] = dict(config.get("OPTIONS") or {})
    options["loaders"] = [
        ("django.template.loaders.locmem.Loader", templates),
        "django.template.loaders.filesystem.Loader",
        "django.template.loaders.app_directories.Loader",
    ]
    config["OPTIONS"], config["APP_DIRS"] = options, False
    return [config]


class SendNow(OutboxTestCase):
    def run_engine(self, moment=None) -> int:
        """These notices are written at the real time, so the engine runs at it too."""
        return self.engine.run_cycle() if moment is None else super().run_engine(moment)


class ReadersLanguages(SendNow):
    def setUp(self) -> None:
        super().setUp()
        self.capture = channel_save(
            actor=SYSTEM, channel=None, name="trial", kind="capture", config={}, personal=True
        )
        for person, language, mail in (
            (self.staff_person, "zh-hant", "zm@example.com"),
            (self.head_person, "", "ly@example.com"),
            (self.expert_person, "zh-hans", "zw@example.com"),
        ):
            person.language, person.email = language, mail
            person.save(update_fields=["language", "email"])

    def test_each_person_reads_a_registered_event_in_their_own_language(self):
        notify(
            event="test",
            recipients=[self.staff_person, self.head_person, self.expert_person],
            link="/notify/",
        )
        self.run_engine()
        sent = dict(
            Delivery.objects.filter(channel=self.capture).values_list(
                "address", "provider_response"
            )
        )
        self.assertIn("應急平臺測試通知", sent["zm@example.com"])  # zh-Hant, Taiwan wording
        self.assertIn("应急平台测试通知", sent["zw@example.com"])
        self.assertIn("Test notice from Yingji", sent["ly@example.com"])  # the default (en)
        # Stored once in the organisation's language for lists and search.
        self.assertEqual(Message.objects.get(event="test").title, "Test notice from Yingji")

    def test_a_group_chat_reads_its_own_language_and_the_app_the_readers(self):
        robot = self.robot((200, {"code": 0, "msg": "success"}))
        feishu = channel_save(
            actor=SYSTEM,
            channel=None,
            name="飞书群",
            kind="feishu",
            config={"url": f"{robot.url}/hook/T"},
            language="zh-hans",
        )
        message = notify(
            event="channel.broken",
            context={"name": "短信", "reason": "HTTP 401"},
            channels=[feishu],
        )
        self.run_engine()
        texts = [r.json["content"]["text"] for r in robot.received]
        self.assertIn("渠道 短信 出现故障，已停止发送", texts)
        self.assertEqual(notice_for(message, "zh-hant").title, "渠道 短信 出現故障，已停止傳送")
        self.assertEqual(notice_for(message, "en").body, "HTTP 401")

    def test_the_inbox_shows_a_notice_in_the_language_the_reader_chose(self):
        notify(event="test", recipients=[self.staff_person])
        self.login("staff")
        self.client.cookies["django_language"] = "zh-hant"
        self.assertContains(self.client.get("/notify/"), "應急平臺測試通知")
        self.client.cookies["django_language"] = "en"
        self.assertContains(self.client.get("/notify/"), "Test notice from Yingji")

    def test_e_mail_is_rendered_in_the_readers_language_with_their_receipt_link(self):
        smtp = SmtpServer().start()
        self.addCleanup(smtp.stop)
        email = channel_save(
            actor=SYSTEM,
            channel=None,
            name="mail",
            kind="email",
            personal=True,
            config={"host": "127.0.0.1", "port": smtp.port, "from_address": "yj@example.com"},
        )
        self.capture.enabled = False
        self.capture.save()
        message = notify(event="test", recipients=[self.staff_person], require_receipt=True)
        self.run_engine()
        [(_to, mail)] = smtp.messages
        self.assertEqual(mail["Subject"], "應急平臺測試通知")
        self.assertEqual(mail["Content-Language"], "zh-hant")
        token = message.deliveries.get(channel=email).receipt_token
        plain = mail.get_body(preferencelist=("plain",))
        assert plain is not None
        text = plain.get_content()
        self.assertIn(f"/notify/r/{token}/", text)
        self.assertIn("確認", text)  # the receipt request, translated

    def test_a_translation_that_does_not_fit_the_facts_falls_back_to_the_stored_text(self):
        register_event("drill.custom", title="%(system)s drill")
        self.addCleanup(EVENTS.pop, "drill.custom")
        message = notify(event="drill.custom", context={"system": "核心"}, channels=[])
        message.context = {}  # e.g. facts written by an older version
        self.assertEqual(notice_for(message, "en").title, "核心 drill")

    def test_free_text_is_not_html_escaped_in_plain_text_formats(self):
        message = notify(event="note", title="A & B <core>", channels=[])
        notice = notice_for(message, "en")
        self.assertIn("A & B <core>", render_format(notice, "sms.txt"))
        self.assertIn("A & B ＜core＞", render_format(notice, "im.md"))  # look-alikes, not HTML
        self.assertIn("A &amp; B &lt;core&gt;", render_format(notice, "email.html"))


class EventTemplates(OutboxTestCase):
    def test_an_event_may_bring_its_own_template_for_a_format(self):
        message = notify(event="test", channels=[])
        overrides = {"notify/events/test/sms.txt": "TEST {{ notice.title }}"}
        with override_settings(TEMPLATES=_locmem_templates(overrides)):
            notice = notice_for(message, "en")
            self.assertEqual(render_format(notice, "sms.txt"), "TEST Test notice from Yingji")
            # other formats of the same event fall back to the shared template
            self.assertIn("### Test notice from Yingji", render_format(notice, "im.md"))


class PersonalChatNotices(SendNow):
    def personal(self, kind: str, robot_url: str):
        return channel_save(
            actor=SYSTEM,
            channel=None,
            name=f"{kind} personal",
            kind=kind,
            personal=True,
            config={"url": f"{robot_url}/send"},
        )

    def test_dingtalk_mentions_by_user_id_and_falls_back_to_the_mobile(self):
        robot = self.robot()
        channel = self.personal("dingtalk", robot.url)
        self.staff_person.dingtalk_id = "manager4711"
        self.staff_person.save(update_fields=["dingtalk_id"])
        notify(event="test", recipients=[self.staff_person, self.head_person])
        self.run_engine()
        ats = [r.json["at"] for r in robot.received]
        self.assertEqual(
            sorted(ats, key=str),
            sorted(
                [{"atUserIds": ["manager4711"]}, {"atMobiles": [self.head_person.mobile]}], key=str
            ),
        )
        for request in robot.received:  # DingTalk shows the @ only when the text has it too
            who = (request.json["at"].get("atUserIds") or request.json["at"]["atMobiles"])[0]
            self.assertIn(f"@{who}", request.json["markdown"]["text"])
        self.assertEqual(
            set(Delivery.objects.filter(channel=channel).values_list("status", flat=True)),
            {DeliveryStatus.SENT},
        )

    def test_wecom_mentions_in_a_text_message(self):
        robot = self.robot()
        self.personal("wecom", robot.url)
        self.staff_person.wecom_id = "ZhaoMin"
        self.staff_person.save(update_fields=["wecom_id"])
        notify(event="test", recipients=[self.staff_person, self.head_person])
        self.run_engine()
        mentions = {
            (r.json["msgtype"], key, tuple(value))
            for r in robot.received
            for key, value in r.json["text"].items()
            if key.startswith("mentioned")
        }
        self.assertEqual(
            mentions,
            {
                ("text", "mentioned_list", ("ZhaoMin",)),
                ("text", "mentioned_mobile_list", (self.head_person.mobile,)),
            },
        )

    def test_feishu_mentions_by_open_id_and_skips_people_without_one(self):
        robot = self.robot((200, {"code": 0, "msg": "success"}))
        channel = self.personal("feishu", robot.url)
        self.staff_person.feishu_id = "ou_7d8a6e6df7621556ce0d21922b676706"
        self.staff_person.save(update_fields=["feishu_id"])
        notify(event="test", recipients=[self.staff_person, self.head_person])
        self.run_engine()
        [request] = robot.received
        self.assertTrue(
            request.json["content"]["text"].startswith(
                '<at user_id="ou_7d8a6e6df7621556ce0d21922b676706"></at> '
            )
        )
        self.assertEqual(Delivery.objects.filter(channel=channel).count(), 1)

    def test_a_kind_that_cannot_reach_one_person_is_refused_as_personal(self):
        with self.assertRaises(DomainError) as caught:
            channel_save(
                actor=SYSTEM,
                channel=None,
                name="slack",
                kind="slack",
                personal=True,
                config={"url": "https://hooks.slack.com/services/T/B/X"},
            )
        self.assertEqual(caught.exception.field, "personal")


class AppriseChannel(OutboxTestCase):
    def apprise_to(self, robot):
        """An apprise channel posting JSON (apprise's json:// service) to the robot."""
        port = robot.url.rsplit(":", 1)[1]
        return channel_save(
            actor=SYSTEM,
            channel=None,
            name="apprise",
            kind="apprise",
            config={"url": f"json://127.0.0.1:{port}/notify"},
        )

    def test_any_apprise_url_receives_the_notice(self):
        charsets = dict(email.charset.CHARSETS)
        robot = self.robot((200, {}))
        channel = self.apprise_to(robot)
        delivery = self.post(channel)
        self.run_engine()
        # Loading apprise's plugins re-registers UTF-8 for every e-mail in the process;
        # the transport puts it back, so our own e-mails keep their encoding.
        self.assertEqual(email.charset.CHARSETS, charsets)
        [request] = robot.received
        self.assertEqual(request.path, "/notify")
        self.assertEqual(request.json["title"], "核心系统登录失败")
        self.assertIn("http://127.0.0.1:8000/org/", request.json["message"])
        delivery.refresh_from_db()
        self.assertEqual(delivery.status, DeliveryStatus.SENT)

    def test_an_answer_apprise_counts_as_failure_is_retried(self):
        channel = self.apprise_to(self.robot((503, {})))
        delivery = self.post(channel)
        self.run_engine()
        delivery.refresh_from_db()
        self.assertEqual(delivery.status, DeliveryStatus.QUEUED)  # retried later
        self.assertIn("apprise", delivery.last_error)

    def test_a_url_apprise_does_not_know_is_refused_when_saved(self):
        with self.assertRaises(DomainError) as caught:
            channel_save(
                actor=SYSTEM,
                channel=None,
                name="apprise",
                kind="apprise",
                config={"url": "nosuchservice://x"},
            )
        self.assertEqual(caught.exception.field, "url")
