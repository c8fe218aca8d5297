"""The outbox end to end: notify() → engine cycle → real SMTP server / robot receivers."""

import base64
import hashlib
import hmac
import threading
import time
import urllib.parse
from datetime import UTC, datetime, timedelta

import time_machine
from django.conf import settings
from django.db import connection
from django.test import TransactionTestCase, override_settings

from yingji.core.actors import SYSTEM
from yingji.core.errors import DomainError
from yingji.engine.loop import Engine
from yingji.engine.testing import run_engines_in_parallel
from yingji.notify import lanes, passes, services, transports
from yingji.notify.choices import DeliveryStatus
from yingji.notify.models import Channel, Delivery, Message
from yingji.notify.services import channel_save, delivery_confirm, notify
from yingji.notify.tests.peers import Robot, SmtpServer, robot_behind_webhook
from yingji.org.models import Person
from yingji.org.testing import CastTestCase, build_cast

T0 = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)


class OutboxTestCase(CastTestCase):
    def setUp(self) -> None:
        self.engine = Engine()
        lanes.drain(timeout=30)  # nothing of an earlier test is recorded in this one

    def robot(self, *replies) -> Robot:
        robot = Robot(replies=list(replies) or [(200, {"errcode": 0, "errmsg": "ok"})]).start()
        self.addCleanup(robot.stop)
        return robot

    def channel(self, kind: str, **config) -> Channel:
        return channel_save(
            actor=SYSTEM, channel=None, name=f"{kind}-{len(config)}", kind=kind, config=config
        )

    def run_engine(self, moment: datetime = T0) -> int:
        with time_machine.travel(moment, tick=False):
            return self.engine.run_cycle()

    def post(self, channel: Channel, **options) -> Delivery:
        with time_machine.travel(T0, tick=False):
            message = notify(
                event="note", title="核心系统登录失败", link="/org/", channels=[channel], **options
            )
        return message.deliveries.get(channel=channel)


class TheOutbox(OutboxTestCase):
    def test_people_get_an_inbox_entry_and_one_delivery_per_personal_channel(self):
        capture = channel_save(
            actor=SYSTEM, channel=None, name="trial", kind="capture", config={}, personal=True
        )
        self.staff_person.email = "zm@example.com"
        self.staff_person.save(update_fields=["email"])
        message = notify(
            event="note", title="演练通知", recipients=[self.staff_person, self.head_person]
        )
        inbox = message.deliveries.filter(channel=None)
        self.assertEqual(inbox.count(), 2)
        self.assertEqual(set(inbox.values_list("status", flat=True)), {DeliveryStatus.SENT})
        self.assertEqual(
            list(message.deliveries.filter(channel=capture).values_list("address", flat=True)),
            ["zm@example.com"],
        )  # the head has no e-mail address: no e-mail delivery

    def test_the_same_key_never_sends_twice(self):
        first = notify(
            event="note", title="A", recipients=[self.staff_person], key="incident:1:report"
        )
        again = notify(
            event="note", title="A", recipients=[self.staff_person], key="incident:1:report"
        )
        self.assertEqual(first.pk, again.pk)
        self.assertEqual(Delivery.objects.count(), 1)

    def test_a_notice_needs_a_title(self):
        with self.assertRaises(DomainError):
            notify(event="note", title="  ", recipients=[self.staff_person])

    def test_a_receipt_confirms_every_delivery_of_that_notice_to_that_person(self):
        capture = channel_save(
            actor=SYSTEM, channel=None, name="trial", kind="capture", config={}, personal=True
        )
        self.staff_person.email = "zm@example.com"
        self.staff_person.save(update_fields=["email"])
        message = notify(
            event="note", title="请确认", recipients=[self.staff_person], require_receipt=True
        )
        mail = message.deliveries.get(channel=capture)
        delivery_confirm(token=mail.receipt_token)
        self.assertEqual(message.deliveries.filter(confirmed_at__isnull=True).count(), 0)
        with self.assertRaises(DomainError):
            delivery_confirm(token="forged")


class Priorities(OutboxTestCase):
    def test_a_notice_to_named_people_overtakes_a_queued_broadcast(self):
        robot = self.robot((200, {"ok": True}))
        hook = self.channel("webhook", url=f"{robot.url}/h", secret="0123456789abcdef")
        with time_machine.travel(T0, tick=False):
            for n in range(20):
                notify(event="broadcast", title=f"全员{n}", channels=[hook], broadcast=True)
        with time_machine.travel(T0 + timedelta(seconds=5), tick=False):
            urgent = notify(event="escalation", title="升级", channels=[hook])
        self.run_engine(T0 + timedelta(seconds=6))
        order = [r.json["delivery"] for r in robot.received]
        self.assertEqual(order[0], urgent.deliveries.get().pk)
        self.assertEqual(len(order), 21)


class EmailOverSmtp(OutboxTestCase):
    def test_a_notice_arrives_at_a_real_smtp_server_with_text_html_and_receipt_link(self):
        smtp = SmtpServer().start()
        self.addCleanup(smtp.stop)
        channel_save(
            actor=SYSTEM,
            channel=None,
            name="mail",
            kind="email",
            personal=True,
            config={
                "host": "127.0.0.1",
                "port": smtp.port,
                "security": "none",
                "from_address": "yingji@example.com",
            },
        )
        self.staff_person.email = "zm@example.com"
        self.staff_person.save(update_fields=["email"])
        with time_machine.travel(T0, tick=False):
            message = notify(
                event="note",
                title="核心系统登录失败",
                body="客户无法登录",
                link="/org/",
                recipients=[self.staff_person],
                require_receipt=True,
            )
        self.assertEqual(self.run_engine(), 1)
        [(recipients, mail)] = smtp.messages
        self.assertEqual(recipients, ["zm@example.com"])
        self.assertEqual(str(mail["Subject"]), "核心系统登录失败")
        parts = {p.get_content_type(): p.get_content() for p in mail.walk() if not p.is_multipart()}
        self.assertIn("客户无法登录", parts["text/plain"])
        receipt = message.deliveries.get(channel__kind="email").receipt_token
        self.assertIn(f"/notify/r/{receipt}/", parts["text/html"])
        self.assertEqual(message.deliveries.get(channel__kind="email").status, DeliveryStatus.SENT)

    @override_settings(CHANNEL_BROKEN_AFTER_FAILURES=100)  # the retries, not the broken mark
    def test_an_unreachable_server_is_retried_then_given_up_with_the_reason(self):
        channel_save(
            actor=SYSTEM,
            channel=None,
            name="mail",
            kind="email",
            personal=True,
            config={"host": "127.0.0.1", "port": 1, "from_address": "y@example.com"},
        )
        self.staff_person.email = "zm@example.com"
        self.staff_person.save(update_fields=["email"])
        with time_machine.travel(T0, tick=False):
            message = notify(event="note", title="X", recipients=[self.staff_person])
        delivery = message.deliveries.get(channel__kind="email")
        moment = T0
        for _attempt in range(services.MAX_ATTEMPTS):
            self.run_engine(moment)
            delivery.refresh_from_db()
            moment = (delivery.next_attempt_at or moment) + timedelta(seconds=1)
        self.assertEqual(
            (delivery.status, delivery.attempts), (DeliveryStatus.GAVE_UP, services.MAX_ATTEMPTS)
        )
        self.assertIn("Connection", delivery.last_error)


class ChatRobots(OutboxTestCase):
    def test_dingtalk_signs_the_query_and_sends_markdown(self):
        robot = self.robot()
        secret = "SEC0123456789abcdef"
        channel = self.channel(
            "dingtalk", url=f"{robot.url}/robot/send?access_token=T", secret=secret
        )
        delivery = self.post(channel)
        self.run_engine()
        [request] = robot.received
        self.assertEqual(request.query["access_token"], "T")
        timestamp = request.query["timestamp"]
        self.assertEqual(len(timestamp), 13)  # milliseconds
        expected = base64.b64encode(
            hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
        ).decode()
        self.assertEqual(request.query["sign"], expected)  # parse_qsl undid the URL-encoding
        self.assertEqual(request.json["msgtype"], "markdown")
        self.assertIn("核心系统登录失败", request.json["markdown"]["text"])
        self.assertIn("http://127.0.0.1:8000/org/", request.json["markdown"]["text"])
        delivery.refresh_from_db()
        self.assertEqual(delivery.status, DeliveryStatus.SENT)

    def test_a_rejection_in_the_body_of_an_http_200_is_a_failure_and_breaks_the_channel(self):
        robot = self.robot((200, {"errcode": 310000, "errmsg": "sign not match"}))
        channel = self.channel("dingtalk", url=f"{robot.url}/robot/send?access_token=T")
        delivery = self.post(channel)
        self.run_engine()
        delivery.refresh_from_db()
        channel.refresh_from_db()
        self.assertEqual(delivery.status, DeliveryStatus.FAILED)
        self.assertIn("310000", channel.broken_reason)
        told = Message.objects.get(event="channel.broken")  # its owners are told, once
        self.assertEqual(
            list(told.deliveries.values_list("person", flat=True)), [self.office_person.pk]
        )
        self.assertIn("310000", told.body)
        later = self.post(channel)  # a broken channel does not hammer the robot again
        self.run_engine()
        later.refresh_from_db()
        self.assertEqual((later.status, len(robot.received)), (DeliveryStatus.FAILED, 1))

    def test_a_network_error_is_kept_without_the_robots_access_token(self):
        url = "http://127.0.0.1:1/robot/send?access_token=SECRET4711"
        channel = self.channel("dingtalk", url=url)
        delivery = self.post(channel)
        self.run_engine()
        delivery.refresh_from_db()
        self.assertEqual(delivery.status, DeliveryStatus.QUEUED)  # retried later
        self.assertIn("Connection refused", delivery.last_error)
        self.assertNotIn("SECRET4711", delivery.last_error)
        # Errors that quote the URL (invalid URLs, redirects) lose the query the same way.
        said = transports._without_query(f"bad URL {url}", url)
        self.assertEqual(said, "bad URL http://127.0.0.1:1/robot/send")

    def test_wecom_throttling_is_retried_later(self):
        robot = self.robot(
            (200, {"errcode": 45009, "errmsg": "api freq out of limit"}),
            (200, {"errcode": 0, "errmsg": "ok"}),
        )
        channel = self.channel("wecom", url=f"{robot.url}/cgi-bin/webhook/send?key=K")
        delivery = self.post(channel)
        self.run_engine()
        delivery.refresh_from_db()
        self.assertEqual(delivery.status, DeliveryStatus.QUEUED)
        assert delivery.next_attempt_at is not None
        self.run_engine(delivery.next_attempt_at + timedelta(seconds=1))
        delivery.refresh_from_db()
        self.assertEqual((delivery.status, delivery.attempts), (DeliveryStatus.SENT, 2))
        self.assertEqual(robot.received[1].json["msgtype"], "markdown")

    def test_feishu_signs_in_the_body_with_the_string_to_sign_as_the_key(self):
        robot = self.robot((200, {"code": 0, "msg": "success"}))
        channel = self.channel(
            "feishu", url=f"{robot.url}/open-apis/bot/v2/hook/T", secret="s3cr3t"
        )
        self.post(channel)
        self.run_engine()
        body = robot.received[0].json
        self.assertEqual(len(body["timestamp"]), 10)  # seconds, as a string
        key = f"{body['timestamp']}\ns3cr3t".encode()
        self.assertEqual(
            body["sign"], base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
        )
        self.assertEqual(body["msg_type"], "text")

    def test_feishu_signature_failure_breaks_the_channel(self):
        robot = self.robot((200, {"code": 19021, "msg": "sign match fail", "data": {}}))
        channel = self.channel("feishu", url=f"{robot.url}/hook/T", secret="wrong")
        self.post(channel)
        self.run_engine()
        channel.refresh_from_db()
        self.assertIn("19021", channel.broken_reason)

    def test_slack_gets_the_title_and_a_link_and_a_removed_hook_breaks_the_channel(self):
        robot = self.robot((200, {}))
        channel = self.channel("slack", url=f"{robot.url}/services/T/B/X")
        delivery = self.post(channel)
        self.run_engine()
        self.assertIn("*核心系统登录失败*", robot.received[0].json["text"])
        delivery.refresh_from_db()
        self.assertEqual(delivery.status, DeliveryStatus.SENT)
        gone = self.robot((410, {"error": "channel_is_archived"}))
        archived = self.channel("slack", url=f"{gone.url}/services/T/B/Y", x=1)
        self.post(archived)
        self.run_engine()
        archived.refresh_from_db()
        self.assertIn("410", archived.broken_reason)

    def test_teams_gets_an_adaptive_card_with_a_link(self):
        robot = self.robot((202, {}))
        channel = self.channel("teams", url=f"{robot.url}/workflows/hook")
        delivery = self.post(channel)
        self.run_engine()
        [attachment] = robot.received[0].json["attachments"]
        self.assertEqual(attachment["contentType"], "application/vnd.microsoft.card.adaptive")
        card = attachment["content"]
        self.assertEqual(
            (card["type"], card["body"][0]["inlines"][0]["text"]),
            ("AdaptiveCard", "核心系统登录失败"),
        )
        self.assertEqual(card["actions"][0]["url"], "http://127.0.0.1:8000/org/")
        delivery.refresh_from_db()
        self.assertEqual(delivery.status, DeliveryStatus.SENT)

    def test_a_signed_webhook_can_be_verified_by_the_receiver(self):
        robot = self.robot((200, {"ok": True}))
        channel = self.channel(
            "webhook", url=f"{robot.url}/hooks/yingji", secret="0123456789abcdef"
        )
        self.post(channel)
        self.run_engine()
        request = robot.received[0]
        signed = f"{request.headers['x-yingji-timestamp']}.".encode() + request.body
        expected = hmac.new(b"0123456789abcdef", signed, hashlib.sha256).hexdigest()
        self.assertEqual(request.headers["x-yingji-signature"], f"sha256={expected}")
        self.assertEqual(request.json["title"], "核心系统登录失败")

    def test_a_server_error_is_temporary_a_missing_endpoint_permanent(self):
        robot = self.robot((503, {}))
        channel = self.channel("webhook", url=f"{robot.url}/h", secret="0123456789abcdef")
        delivery = self.post(channel)
        self.run_engine()
        delivery.refresh_from_db()
        self.assertEqual(delivery.status, DeliveryStatus.QUEUED)
        gone = self.robot((404, {}))
        channel2 = self.channel("webhook", url=f"{gone.url}/h", secret="0123456789abcdef", x=1)
        lost = self.post(channel2)
        self.run_engine()
        lost.refresh_from_db()
        self.assertEqual(lost.status, DeliveryStatus.FAILED)


class SmsGateway(OutboxTestCase):
    def sms_channel(self, url: str, **config) -> Channel:
        return channel_save(
            actor=SYSTEM,
            channel=None,
            name=f"sms{len(config)}",
            kind="sms",
            personal=True,
            config={"url": url, **config},
        )

    def test_a_json_gateway_gets_the_mobile_and_escaped_text_and_its_answer_decides(self):
        gateway = self.robot((200, {"Code": "OK"}), (200, {"Code": "isv.BUSINESS_LIMIT_CONTROL"}))
        self.sms_channel(
            f"{gateway.url}/sms",
            body_template='{"to": "{{mobile}}", "msg": "{{text}}"}',
            success_field="Code",
            success_value="OK",
            auth_header="APPCODE k",
        )
        with time_machine.travel(T0, tick=False):
            message = notify(
                event="note",
                title='机房"断电"',
                link="/org/",
                recipients=[self.staff_person, self.head_person],
            )
        self.run_engine()
        first, second = gateway.received  # sent side by side: either may arrive first
        self.assertEqual(
            {first.json["to"], second.json["to"]},
            {self.staff_person.mobile, self.head_person.mobile},
        )
        self.assertEqual(first.json["msg"], '机房"断电" http://127.0.0.1:8000/org/')
        self.assertEqual(first.headers["authorization"], "APPCODE k")
        outcomes = dict(
            message.deliveries.filter(channel__kind="sms").values_list("address", "status")
        )  # the gateway accepted the first request and refused the second
        self.assertEqual(
            outcomes,
            {first.json["to"]: DeliveryStatus.SENT, second.json["to"]: DeliveryStatus.FAILED},
        )

    def test_a_form_encoded_gateway(self):
        gateway = self.robot((200, {"result": {"code": 0}}))
        self.sms_channel(
            f"{gateway.url}/send",
            body_format="form",
            body_template="mobile={{mobile}}&content={{text}}",
            success_field="result.code",
            success_value="0",
        )
        with time_machine.travel(T0, tick=False):
            notify(event="note", title="演练 & 通知", recipients=[self.staff_person])
        self.run_engine()
        body = urllib.parse.parse_qs(gateway.received[0].body.decode())
        self.assertEqual(body["content"], ["演练 & 通知"])
        self.assertTrue(
            gateway.received[0]
            .headers["content-type"]
            .startswith("application/x-www-form-urlencoded")
        )
        self.assertEqual(Delivery.objects.get(channel__kind="sms").status, DeliveryStatus.SENT)

    def test_the_template_is_checked_when_saved(self):
        for template, field in (
            ('{"to": "{{mobile}}"}', "body_template"),
            ('{"to": "{{mobile}}" "msg": "{{text}}"}', "body_template"),
        ):
            with self.subTest(template=template), self.assertRaises(DomainError) as caught:
                self.sms_channel("https://sms.example.com/send", body_template=template)
            self.assertEqual(caught.exception.field, field)


class SideBySideInALane(OutboxTestCase):
    def send_ten(self, robot: Robot) -> None:
        channel = self.channel("webhook", url=f"{robot.url}/h", secret="0123456789abcdef")
        for _n in range(10):
            self.post(channel)
        self.run_engine()
        self.assertEqual(
            Delivery.objects.filter(channel=channel, status=DeliveryStatus.SENT).count(), 10
        )

    def test_a_slow_robot_gets_requests_side_by_side(self):
        robot = self.robot((200, {"ok": True}))
        robot.delay = 0.2
        self.send_ten(robot)
        self.assertGreater(robot.most_in_flight, 1)


class RateLimits(OutboxTestCase):
    def test_over_the_robots_limit_the_rest_waits_for_the_next_minute_and_nothing_is_dropped(self):
        robot = self.robot()
        channel = self.channel("dingtalk", url=f"{robot.url}/robot/send?access_token=T")
        Channel.objects.filter(pk=channel.pk).update(per_minute=2)
        for _n in range(5):
            self.post(channel)
        self.run_engine(T0)
        self.assertEqual(len(robot.received), 2)
        self.run_engine(T0 + timedelta(seconds=30))
        self.assertEqual(len(robot.received), 2)
        self.run_engine(T0 + timedelta(seconds=61))
        self.assertEqual(len(robot.received), 4)
        self.run_engine(T0 + timedelta(seconds=122))
        self.assertEqual(len(robot.received), 5)
        self.assertEqual(
            Delivery.objects.filter(status=DeliveryStatus.SENT, channel=channel).count(), 5
        )


class FeishuBursts(OutboxTestCase):
    def test_feishu_gets_at_most_five_a_second_and_the_rest_waits(self):
        robot = self.robot((200, {"code": 0, "msg": "success"}))
        channel = self.channel("feishu", url=f"{robot.url}/open-apis/bot/v2/hook/T")
        for _n in range(12):
            self.post(channel)
        self.run_engine(T0)
        self.assertEqual(len(robot.received), 5)
        self.run_engine(T0 + timedelta(milliseconds=500))
        self.assertEqual(len(robot.received), 5)
        self.run_engine(T0 + timedelta(seconds=1, milliseconds=10))
        self.assertEqual(len(robot.received), 10)
        self.run_engine(T0 + timedelta(seconds=2, milliseconds=20))
        self.assertEqual(len(robot.received), 12)
        channel.refresh_from_db()
        self.assertEqual(channel.window_count, 12)  # refused burst slots were handed back


class ChannelSettingsAreValidatedWhenSaved(OutboxTestCase):
    def test_bad_settings_name_their_field(self):
        cases = [
            ("dingtalk", {"url": "not a url"}, "url"),
            (
                "dingtalk",
                {"url": "https://oapi.dingtalk.com/robot/send?access_token=x", "secret": "abc"},
                "secret",
            ),
            ("webhook", {"url": "https://example.com/h", "secret": "short"}, "secret"),
            ("email", {"host": "", "from_address": "a@b.c"}, "host"),
            ("email", {"host": "smtp", "port": "x", "from_address": "a@b.c"}, "port"),
            ("email", {"host": "smtp", "from_address": "nobody"}, "from_address"),
            ("nonsense", {}, "kind"),
        ]
        for kind, config, field in cases:
            with self.subTest(kind=kind, field=field), self.assertRaises(DomainError) as caught:
                channel_save(actor=SYSTEM, channel=None, name="c", kind=kind, config=config)
            self.assertEqual(caught.exception.field, field)
        self.assertEqual(Channel.objects.count(), 0)

    def test_only_managers_configure_channels(self):
        from yingji.core.errors import AccessDenied

        with self.assertRaises(AccessDenied):
            channel_save(actor=self.staff, channel=None, name="c", kind="capture", config={})


class TwoEnginesNeverSendTheSameDelivery(TransactionTestCase):
    def test_each_delivery_reaches_the_receiver_exactly_once(self):
        build_cast()
        robot, channel = robot_behind_webhook(self)
        for n in range(120):
            notify(event="note", title=f"n{n}", channels=[channel])
        errors = run_engines_in_parallel(2)
        self.assertEqual(errors, [])
        delivered = sorted(r.json["delivery"] for r in robot.received)
        self.assertEqual(delivered, sorted(Delivery.objects.values_list("pk", flat=True)))
        self.assertEqual(len(set(delivered)), 120)


class ASlowRobotCannotOutlastTheLease(TransactionTestCase):
    @override_settings(SEND_WAIT_MS=0)
    def test_what_was_not_started_by_half_the_lease_is_handed_back(self):
        robot, channel = robot_behind_webhook(self, hold_first=True)
        with time_machine.travel(T0, tick=False) as clock:
            for n in range(20):
                notify(event="note", title=f"n{n}", channels=[channel])
            ASlowRobotCannotOutlastTheLease.one_cycle()  # hands the lane its chunks
            self.assertTrue(robot.first_request.wait(timeout=30))
            clock.shift(passes.LEASE / 2)  # the first chunk's robot took its time
            robot.release.set()
            while lanes.chunks_held():
                passes._record_finished(wait=30)
        statuses = list(Delivery.objects.order_by("pk").values_list("status", "attempts"))
        chunk = settings.SEND_CONCURRENCY
        self.assertEqual(statuses[:chunk], [(DeliveryStatus.SENT, 1)] * chunk)
        self.assertEqual(statuses[chunk:], [(DeliveryStatus.QUEUED, 0)] * (20 - chunk))

    @staticmethod
    def one_cycle() -> None:
        try:
            Engine().run_cycle()
        finally:
            connection.close()


class ATargetedNoticeInterruptsABroadcast(TransactionTestCase):
    def test_it_goes_right_after_the_chunk_in_flight(self):
        robot, hook = robot_behind_webhook(self, hold_first=True)
        for n in range(20):
            notify(event="note", title=f"全员{n}", channels=[hook], broadcast=True)
        cycle = threading.Thread(target=ASlowRobotCannotOutlastTheLease.one_cycle)
        cycle.start()
        self.assertTrue(robot.first_request.wait(timeout=30))
        urgent = notify(event="note", title="升级", channels=[hook]).deliveries.get()
        claimed = Delivery.objects.filter(pk=urgent.pk, status=DeliveryStatus.SENDING)
        give_up_at = time.monotonic() + 10
        while not claimed.exists() and time.monotonic() < give_up_at:  # the cycle looks for
            time.sleep(passes.LOOK_EVERY / 2)  # new work while the robot holds the chunk
        robot.release.set()
        cycle.join(timeout=30)
        while Engine().run_cycle():
            pass
        order = [r.json["delivery"] for r in robot.received]
        chunk = settings.SEND_CONCURRENCY
        # ahead of the broadcast's chunks waiting in the lane: right after the one in flight
        self.assertEqual(order[chunk], urgent.pk)
        self.assertEqual(len(order), 21)


class TheCanary(OutboxTestCase):
    def test_a_self_check_notice_goes_out_once_per_interval_across_engines(self):
        robot = self.robot((200, {"ok": True}))
        channel = channel_save(
            actor=SYSTEM,
            channel=None,
            name="ops",
            kind="webhook",
            canary=True,
            config={"url": f"{robot.url}/h", "secret": "0123456789abcdef"},
        )
        other = Engine()
        self.run_engine(T0)
        with time_machine.travel(T0 + timedelta(seconds=5), tick=False):
            other.run_cycle()
        self.run_engine(T0 + timedelta(minutes=30))
        self.assertEqual(len(robot.received), 1)
        self.assertIn("self-check", robot.received[0].json["title"])
        self.run_engine(T0 + timedelta(minutes=61))
        self.run_engine(T0 + timedelta(minutes=61, seconds=1))
        self.assertEqual(len(robot.received), 2)
        self.assertEqual(Message.objects.filter(event="canary").count(), 2)
        channel.refresh_from_db()
        self.assertEqual(channel.broken_reason, "")
        from django.test import Client

        with time_machine.travel(T0 + timedelta(minutes=62), tick=False):
            metrics = Client().get("/metrics").content.decode()
        self.assertIn("yingji_notify_canary_last_sent_timestamp_seconds 1.7", metrics)
        self.assertIn('yingji_notify_waiting_deliveries{priority="0"} 0.0', metrics)
        self.assertIn("yingji_notify_broken_channels 0.0", metrics)


class OverdueReceipts(OutboxTestCase):
    def test_unconfirmed_people_get_the_next_channel_then_the_office_a_call_list(self):
        mail = channel_save(
            actor=SYSTEM,
            channel=None,
            name="mail",
            kind="capture",
            config={},
            personal=True,
            position=1,
        )
        gateway = self.robot((200, {"Code": "OK"}))
        sms = channel_save(
            actor=SYSTEM,
            channel=None,
            name="sms",
            kind="sms",
            personal=True,
            position=2,
            config={
                "url": f"{gateway.url}/sms",
                "body_template": '{"to": "{{mobile}}", "msg": "{{text}}"}',
            },
        )
        Person.objects.filter(pk__in=[self.staff_person.pk, self.head_person.pk]).update(
            email="p@example.com"
        )
        with time_machine.travel(T0, tick=False):
            message = notify(
                event="note",
                title="请确认收到",
                require_receipt=True,
                recipients=Person.objects.filter(employee_no__in=["E0004", "E0006"]),
                escalate_after=timedelta(minutes=15),
                actor=self.office,
            )
        channels = set(message.deliveries.exclude(channel=None).values_list("channel", flat=True))
        self.assertEqual(channels, {mail.pk})  # the first channel only, for now
        staff_inbox = message.deliveries.get(person=self.staff_person, channel=None)
        delivery_confirm(token=staff_inbox.receipt_token)

        self.run_engine(T0 + timedelta(minutes=14))
        self.assertEqual(message.deliveries.filter(channel=sms).count(), 0)
        self.run_engine(T0 + timedelta(minutes=15, seconds=1))  # timer fires: SMS for the head
        self.run_engine(T0 + timedelta(minutes=15, seconds=2))  # the outbox sends it
        self.assertEqual(
            list(message.deliveries.filter(channel=sms).values_list("person", "status")),
            [(self.head_person.pk, DeliveryStatus.SENT)],
        )
        self.assertIn(self.head_person.mobile, [r.json["to"] for r in gateway.received])
        told = Message.objects.get(key=f"notify:receipts:{message.pk}:1:told")
        self.assertIn("1 people have not confirmed", told.title)
        self.assertEqual(
            set(told.deliveries.values_list("person", flat=True)), {self.office_person.pk}
        )

        self.run_engine(T0 + timedelta(minutes=31))  # no channel left: the office calls
        call_list = Message.objects.get(key=f"notify:receipts:{message.pk}:2:told")
        self.assertIn(f"刘洋 {self.head_person.mobile}", call_list.body)
        services.receipts_escalate(message=message, step=2)  # a repeated step does nothing
        self.assertEqual(message.deliveries.filter(escalation_step=2).count(), 0)
        self.assertEqual(Message.objects.filter(event="receipt.overdue").count(), 2)


class ADeadChannelIsReportedBroken(OutboxTestCase):
    """Refused connections and time-outs once retried silently for ever while the page said
    "ready" (issue 15): enough failures in a row, over long enough, mark the channel broken."""

    def test_refused_again_and_again_for_a_minute_marks_it_broken_and_tells_the_office_once(self):
        from yingji.notify.tests.peers import _free_port

        dead = self.channel(
            "webhook", url=f"http://127.0.0.1:{_free_port()}/h", secret="0123456789abcdef"
        )
        for _n in range(5):
            self.post(dead)
        self.run_engine(T0)
        dead.refresh_from_db()
        self.assertEqual((dead.failures_in_row, dead.broken_reason), (5, ""))  # not yet a minute
        with time_machine.travel(T0 + timedelta(seconds=61), tick=False):
            notify(event="note", title="又一条", channels=[dead])
        self.run_engine(T0 + timedelta(seconds=61))
        dead.refresh_from_db()
        self.assertIn(
            "ConnectionRefusedError",
            dead.broken_reason.replace("NewConnectionError", "ConnectionRefusedError"),
        )
        self.assertEqual(Message.objects.filter(event="channel.broken").count(), 1)
        self.run_engine(T0 + timedelta(minutes=30))  # the retries fail at once, untold
        self.assertEqual(Message.objects.filter(event="channel.broken").count(), 1)
        from django.test import Client

        metrics = Client().get("/metrics").content.decode()
        self.assertIn("yingji_notify_broken_channels 1.0", metrics)

    def test_a_send_that_gets_through_starts_the_count_again(self):
        robot = self.robot((503, {}), (503, {}), (200, {"ok": True}))
        channel = self.channel("webhook", url=f"{robot.url}/h", secret="0123456789abcdef")
        self.post(channel)
        self.post(channel)
        self.run_engine(T0)
        channel.refresh_from_db()
        self.assertEqual(channel.failures_in_row, 2)
        self.post(channel)
        self.run_engine(T0 + timedelta(hours=2))  # the retries are due: one gets through
        channel.refresh_from_db()
        self.assertEqual((channel.failures_in_row, channel.failing_since), (0, None))


class BroadcastsLeaveRoomForTargetedNotices(OutboxTestCase):
    def test_a_broadcast_takes_four_fifths_of_the_minute_and_a_page_still_goes_at_once(self):
        robot = self.robot((200, {"ok": True}))
        channel = self.channel("webhook", url=f"{robot.url}/h", secret="0123456789abcdef")
        Channel.objects.filter(pk=channel.pk).update(per_minute=10)
        with time_machine.travel(T0, tick=False):
            for n in range(20):
                notify(event="note", title=f"全员{n}", channels=[channel], broadcast=True)
        self.run_engine(T0)
        self.assertEqual(len(robot.received), 8)  # 80% of 10
        with time_machine.travel(T0 + timedelta(seconds=5), tick=False):
            page = notify(event="note", title="升级", channels=[channel]).deliveries.get()
        self.run_engine(T0 + timedelta(seconds=5))
        self.assertEqual(len(robot.received), 9)
        self.assertEqual(robot.received[-1].json["delivery"], page.pk)

    def test_the_broadcast_page_says_how_long_each_channel_will_take(self):
        sms = channel_save(
            actor=SYSTEM, channel=None, name="短信", kind="capture", personal=True, config={}
        )
        Channel.objects.filter(pk=sms.pk).update(per_minute=2)
        Person.objects.update(email="x@example.com")
        people = Person.objects.filter(status="active").count()
        self.client.force_login(self.cast["office"])
        page = self.client.get("/notify/broadcast/").content.decode()
        minutes = -(-people // 1)  # 80% of 2 a minute: one a minute
        self.assertIn(f"Expected to take about {minutes} minutes", page)


class SavingAChannelKeepsTheEnginesCounters(OutboxTestCase):
    def test_a_stale_form_does_not_overwrite_the_budget_used_meanwhile(self):
        channel = self.channel("capture")
        stale = Channel.objects.get(pk=channel.pk)
        Channel.objects.filter(pk=channel.pk).update(window_count=7, window_started_at=T0)
        channel_save(actor=SYSTEM, channel=stale, name="renamed", kind="capture", config={})
        fresh = Channel.objects.get(pk=channel.pk)
        self.assertEqual(
            (fresh.name, fresh.window_count, fresh.window_started_at), ("renamed", 7, T0)
        )
