"""A hostile title reaches every chat and SMS as text (issue 15): no link, image, heading,
mention or second line that the sender did not write. Each transport sends to a local
receiver, which records what a chat service would have been asked to show."""

from __future__ import annotations

import json
import re

from yingji.core.actors import SYSTEM as SYSTEM_ACTOR
from yingji.notify.escaping import markdown, no_tags, one_line, slack
from yingji.notify.services import channel_save, notify
from yingji.notify.tests.test_outbox import OutboxTestCase

HOSTILE = (
    "核心系统\n# 假标题 [点我](http://evil.example/x) ![图](http://evil.example/i.png) "
    '<!channel> <at user_id="all"></at> @所有人 *粗体* `code`\r\n- 列表\u2028第二行'
)


class EscapingRules(OutboxTestCase):
    def test_each_format_keeps_the_words_and_drops_the_power(self):
        for escape in (markdown, slack, no_tags, one_line):
            with self.subTest(escape=escape.__name__):
                text = escape(HOSTILE)
                self.assertNotRegex(text, r"[\n\r\u2028\u2029]")
                self.assertIn("核心系统", text)
                self.assertIn("假标题", text)
        self.assertNotRegex(markdown(HOSTILE), r"[\[\]()#*`<>@!]")
        self.assertNotIn("<", slack(HOSTILE))
        self.assertIn("&lt;!channel&gt;", slack(HOSTILE))
        self.assertNotIn("<at", no_tags(HOSTILE))


class EveryTransportSendsAHostileTitleAsText(OutboxTestCase):
    def send(self, kind: str, path: str, **config) -> str:
        robot = self.robot((200, {"errcode": 0, "code": 0, "ok": True, "Code": "OK"}))
        personal = kind == "sms"
        config = {"url": f"{robot.url}{path}", **config}
        channel = channel_save(
            actor=SYSTEM_ACTOR,
            channel=None,
            name=kind,
            kind=kind,
            config=config,
            personal=personal,
        )
        if personal:
            notify(event="note", title=HOSTILE, link="/org/", recipients=[self.staff_person])
        else:
            notify(event="note", title=HOSTILE, link="/org/", channels=[channel])
        self.engine.run_cycle()
        self.assertEqual(len(robot.received), 1, kind)
        return robot.received[0].body.decode()

    def shown(self, body: str) -> str:
        """Every string in the JSON the chat service was sent, joined."""
        strings: list[str] = []

        def walk(value: object) -> None:
            if isinstance(value, str):
                strings.append(value)
            elif isinstance(value, dict):
                for item in value.values():
                    walk(item)
            elif isinstance(value, list):
                for item in value:
                    walk(item)

        walk(json.loads(body))
        return "\n".join(strings)

    def assert_no_markdown_power(self, text: str) -> None:
        title = text.split("\n")[0] if not text.startswith("###") else text.split("\n")[0][4:]
        self.assertIn("核心系统", title)
        self.assertNotIn("](http://evil", text)
        self.assertNotIn("![", text)
        self.assertNotRegex(text, r"\n#")  # no heading of its own
        self.assertNotIn("<at", text)
        self.assertNotIn("<!channel>", text)
        self.assertNotIn("@所有人", text)
        self.assertNotIn("\n- 列表", text)

    def test_dingtalk_markdown(self):
        body = json.loads(self.send("dingtalk", "/robot/send?access_token=T"))
        self.assert_no_markdown_power(body["markdown"]["text"])
        self.assertNotIn("\n", body["markdown"]["title"])

    def test_wecom_markdown(self):
        body = json.loads(self.send("wecom", "/cgi-bin/webhook/send?key=K"))
        self.assert_no_markdown_power(body["markdown"]["content"])

    def test_feishu_text(self):
        body = json.loads(self.send("feishu", "/open-apis/bot/v2/hook/T"))
        text = body["content"]["text"]
        self.assertNotIn("<at", text)
        self.assertEqual(text.count("\n"), 1)  # the title's line, then our link

    def test_slack_mrkdwn(self):
        text = json.loads(self.send("slack", "/services/T/B/X"))["text"]
        self.assertNotIn("<!channel>", text)
        self.assertNotIn("<http://evil", text)
        self.assertEqual(
            re.findall(r"<[^>]*>", text),
            ["<http://127.0.0.1:8000/org/|http://127.0.0.1:8000/org/>"],
        )
        self.assertTrue(text.startswith("*") and text.split("\n")[0].endswith("*"))

    def test_teams_card_shows_text_not_markdown(self):
        card = json.loads(self.send("teams", "/workflows/hook"))["attachments"][0]["content"]
        [block] = card["body"]
        self.assertEqual(block["type"], "RichTextBlock")  # TextRuns are not markdown
        self.assertNotIn("\n", block["inlines"][0]["text"])
        self.assertEqual(card["actions"][0]["url"], "http://127.0.0.1:8000/org/")

    def test_sms_is_one_line(self):
        body = self.send(
            "sms",
            "/sms",
            body_template='{"to": "{{mobile}}", "msg": "{{text}}"}',
            success_field="Code",
            success_value="OK",
        )
        msg = json.loads(body)["msg"]
        self.assertNotRegex(msg, r"[\n\r\u2028\u2029]")
        self.assertTrue(msg.startswith("核心系统 # 假标题"))
