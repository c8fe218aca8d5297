"""One small class per kind of channel behind one HTTP helper (STYLE.md convention 8).

A transport validates its settings when the channel is saved, renders a message, sends it
and returns the provider's answer, or raises SendError saying whether to retry and whether
the channel itself is broken. Chat robots answer HTTP 200 even on failure; the verdict is in
the JSON body (`errcode` / `code`), so that is what we read."""

from __future__ import annotations

import abc
import base64
import contextlib
import email.charset
import functools
import hashlib
import hmac
import json
import logging
import smtplib
import time
import urllib.parse
from collections.abc import Callable, Iterator
from typing import Any

import urllib3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import EmailValidator, URLValidator
from django.utils import translation
from django.utils.translation import gettext as _

from yingji.core.errors import DomainError
from yingji.notify import escaping
from yingji.notify.choices import ChannelKind
from yingji.notify.rendering import Notice, render_format


class SendError(Exception):
    def __init__(self, reason: str, *, temporary: bool, channel_broken: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.temporary = temporary
        self.channel_broken = channel_broken


@functools.cache
def http_pool() -> urllib3.PoolManager:
    """One pool per process, shared by the sender threads: connections to a robot are kept
    alive, so a burst pays the TLS handshake once. Certificates are checked against the
    system's store, where intranets install their own CA."""
    return urllib3.PoolManager(
        num_pools=64,
        maxsize=max(8, settings.SEND_CONCURRENCY),
        # `total` bounds a far end that trickles its answer, not just one that is silent
        timeout=urllib3.Timeout(total=settings.SEND_TIMEOUT, connect=5.0),
        retries=False,  # the outbox retries, with back-off and a record of each attempt
    )


def _without_query(text: str, url: str) -> str:
    """Robot URLs carry their access token in the query: never in an error we keep."""
    parts = urllib.parse.urlsplit(url)
    text = text.replace(url, parts._replace(query="", fragment="").geturl())
    return text.replace(parts.query, "…") if parts.query else text


def post_json(
    url: str, payload: dict[str, Any], headers: dict[str, str] | None = None, body: bytes = b""
) -> Any:
    """POST JSON (`body` when the caller signed exact bytes); temporary for network trouble,
    429 and 5xx; permanent for other 4xx."""
    body = body or json.dumps(payload, ensure_ascii=False).encode("utf-8")
    try:
        response = http_pool().request(
            "POST",
            url,
            body=body,
            headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
        )
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        reason = _without_query(f"{type(exc).__name__}: {exc}", url)
        raise SendError(reason, temporary=True) from None
    text = response.data.decode("utf-8", "replace")
    if response.status == 429 or response.status >= 500:
        raise SendError(f"HTTP {response.status}: {text[:300]}", temporary=True)
    if response.status >= 400:
        raise SendError(
            f"HTTP {response.status}: {text[:300]}",
            temporary=False,
            channel_broken=response.status in (401, 403, 404, 410),
        )
    try:
        return json.loads(text)
    except ValueError:
        return {"text": text[:500]}


def _check_url(config: dict[str, Any], field: str = "url") -> str:
    url = str(config.get(field, "")).strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise DomainError(_("Enter the full http(s) address of the robot."), field=field) from None
    return url


def mention(address: str) -> tuple[str, str]:
    """A personal chat address is "user:<id>" or "mobile:<number>" (see services)."""
    how, _sep, who = address.partition(":")
    return how, who


def short_text(notice: Notice, escape: Callable[[object], str] = escaping.one_line) -> str:
    """Title and grade on one line (escaped for the chat), then our link: what a plain-text
    chat carries."""
    grade = f"[{notice.grade}] " if notice.grade else ""
    return escape(grade + notice.title) + (f"\n{notice.link}" if notice.link else "")


class Transport(abc.ABC):
    kind: str
    waits_on_network = True  # worth sending side by side with others

    @abc.abstractmethod
    def clean(self, config: dict[str, Any]) -> dict[str, Any]:
        """Validated settings, or DomainError naming the field."""

    @abc.abstractmethod
    def send(self, channel: Any, notice: Notice, delivery: Any) -> str:
        """Send one delivery; return the provider's answer or raise SendError."""


class CaptureTransport(Transport):
    """For trials and the demo: keeps exactly what would have been sent, sends nothing."""

    kind = ChannelKind.CAPTURE
    waits_on_network = False

    def clean(self, config: dict[str, Any]) -> dict[str, Any]:
        return {}

    def send(self, channel: Any, notice: Notice, delivery: Any) -> str:
        to = delivery.address or channel.name
        fmt = "email.txt" if delivery.person_id else "im.md"
        return f"To: {to}\n\n" + render_format(notice, fmt)


class EmailTransport(Transport):
    kind = ChannelKind.EMAIL
    SECURITY = ("starttls", "ssl", "none")

    def clean(self, config: dict[str, Any]) -> dict[str, Any]:
        host = str(config.get("host", "")).strip()
        if not host:
            raise DomainError(_("Enter the SMTP server's host name."), field="host")
        try:
            port = int(config.get("port") or 25)
        except (TypeError, ValueError):
            raise DomainError(_("The port must be a number."), field="port") from None
        if not 0 < port < 65536:
            raise DomainError(_("The port must be between 1 and 65535."), field="port")
        security = str(config.get("security") or "none")
        if security not in self.SECURITY:
            raise DomainError(_("Choose starttls, ssl or none."), field="security")
        sender = str(config.get("from_address", "")).strip()
        try:
            EmailValidator()(sender)
        except ValidationError:
            raise DomainError(
                _("Enter the sender's e-mail address."), field="from_address"
            ) from None
        return {
            "host": host,
            "port": port,
            "security": security,
            "from_address": sender,
            "username": str(config.get("username", "")),
            "password": str(config.get("password", "")),
        }

    def send(self, channel: Any, notice: Notice, delivery: Any) -> str:
        config = channel.config
        connection = get_connection(
            "django.core.mail.backends.smtp.EmailBackend",
            host=config["host"],
            port=config["port"],
            username=config.get("username") or None,
            password=config.get("password") or None,
            use_tls=config["security"] == "starttls",
            use_ssl=config["security"] == "ssl",
            timeout=settings.SEND_TIMEOUT,
        )
        mail = EmailMultiAlternatives(
            subject=escaping.one_line(notice.title),  # a header: one line
            body=render_format(notice, "email.txt"),
            from_email=config["from_address"],
            to=[delivery.address],
            connection=connection,
            headers={
                "X-Yingji-Message": str(notice.message_id),
                "Content-Language": notice.language,
            },
        )
        mail.attach_alternative(render_format(notice, "email.html"), "text/html")
        try:
            mail.send()
        except smtplib.SMTPAuthenticationError as exc:
            raise SendError(
                f"SMTP authentication failed: {exc}", temporary=False, channel_broken=True
            ) from None
        except smtplib.SMTPRecipientsRefused as exc:
            raise SendError(f"recipient refused: {exc.recipients}", temporary=False) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise SendError(f"{type(exc).__name__}: {exc}", temporary=True) from None
        return "250 accepted"


class DingTalkTransport(Transport):
    kind = ChannelKind.DINGTALK
    TEMPORARY = {130101}  # sent too fast: the robot is throttled for a while
    BROKEN = {300001, 310000, 400102}  # bad token, signature/keyword/IP check, robot disabled

    def clean(self, config: dict[str, Any]) -> dict[str, Any]:
        url = _check_url(config)
        secret = str(config.get("secret", "")).strip()
        if secret and not secret.startswith("SEC"):
            raise DomainError(_("A DingTalk signing secret starts with SEC."), field="secret")
        return {"url": url, "secret": secret, "keyword": str(config.get("keyword", "")).strip()}

    def signed_url(self, url: str, secret: str, now_ms: int) -> str:
        string_to_sign = f"{now_ms}\n{secret}".encode()
        digest = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
        sign = urllib.parse.quote_plus(base64.b64encode(digest).decode())
        return f"{url}{'&' if '?' in url else '?'}timestamp={now_ms}&sign={sign}"

    def send(self, channel: Any, notice: Notice, delivery: Any) -> str:
        keyword = channel.config.get("keyword", "")
        text = render_format(notice, "im.md")
        payload: dict[str, Any] = {
            "msgtype": "markdown",
            "markdown": {"title": escaping.one_line(notice.title), "text": text},
        }
        if delivery.address:  # a personal notice: @ the person in the robot's group
            how, who = mention(delivery.address)
            payload["at"] = {"atUserIds" if how == "user" else "atMobiles": [who]}
            text += f"\n\n@{who}"  # DingTalk shows the @ only when it is also in the text
        if keyword and keyword not in text:  # a keyword-protected robot drops messages without it
            text += f"\n\n{keyword}"
        payload["markdown"]["text"] = text
        url = channel.config["url"]
        if channel.config.get("secret"):
            url = self.signed_url(url, channel.config["secret"], int(time.time() * 1000))
        answer = post_json(url, payload)
        return _errcode_verdict(answer, "errcode", self.TEMPORARY, self.BROKEN)


class WeComTransport(Transport):
    kind = ChannelKind.WECOM
    TEMPORARY = {45009, 45033}  # frequency limits
    BROKEN = {93000, 40008}  # invalid webhook key, invalid message type

    def clean(self, config: dict[str, Any]) -> dict[str, Any]:
        return {"url": _check_url(config)}

    def send(self, channel: Any, notice: Notice, delivery: Any) -> str:
        if delivery.address:
            # Markdown cannot @ by mobile, text can do both: a personal notice goes as text.
            how, who = mention(delivery.address)
            text = {
                "content": short_text(notice),
                "mentioned_list" if how == "user" else "mentioned_mobile_list": [who],
            }
            payload: dict[str, Any] = {"msgtype": "text", "text": text}
        else:
            content = render_format(notice, "im.md")
            payload = {"msgtype": "markdown", "markdown": {"content": content}}
        answer = post_json(channel.config["url"], payload)
        return _errcode_verdict(answer, "errcode", self.TEMPORARY, self.BROKEN)


class FeishuTransport(Transport):
    kind = ChannelKind.FEISHU
    TEMPORARY = {11232}  # throttled
    BROKEN = {19021, 19022, 19024}  # signature/timestamp, IP not allowed, keyword missing

    def clean(self, config: dict[str, Any]) -> dict[str, Any]:
        return {"url": _check_url(config), "secret": str(config.get("secret", "")).strip()}

    @staticmethod
    def sign(timestamp: int, secret: str) -> str:
        # Feishu keys the HMAC with the string to sign and hashes an empty message: the
        # reverse of DingTalk, and the most common mistake in Feishu senders.
        key = f"{timestamp}\n{secret}".encode()
        return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()

    def send(self, channel: Any, notice: Notice, delivery: Any) -> str:
        text = short_text(notice, escaping.no_tags)
        if delivery.address:  # Feishu @-mentions by open_id / user_id only
            text = f'<at user_id="{mention(delivery.address)[1]}"></at> {text}'
        payload: dict[str, Any] = {"msg_type": "text", "content": {"text": text}}
        if channel.config.get("secret"):
            timestamp = int(time.time())
            payload["timestamp"] = str(timestamp)
            payload["sign"] = self.sign(timestamp, channel.config["secret"])
        answer = post_json(channel.config["url"], payload)
        return _errcode_verdict(answer, "code", self.TEMPORARY, self.BROKEN)


class SlackTransport(Transport):
    kind = ChannelKind.SLACK

    def clean(self, config: dict[str, Any]) -> dict[str, Any]:
        return {"url": _check_url(config)}

    def send(self, channel: Any, notice: Notice, delivery: Any) -> str:
        grade = f"[{notice.grade}] " if notice.grade else ""
        link = notice.link
        text = f"*{escaping.slack(grade + notice.title)}*" + (f"\n<{link}|{link}>" if link else "")
        answer = post_json(channel.config["url"], {"text": text})
        return json.dumps(answer, ensure_ascii=False)[:500]


class TeamsTransport(Transport):
    """A Teams "workflow" webhook (Power Automate: When a Teams webhook request is received)."""

    kind = ChannelKind.TEAMS

    def clean(self, config: dict[str, Any]) -> dict[str, Any]:
        return {"url": _check_url(config)}

    def send(self, channel: Any, notice: Notice, delivery: Any) -> str:
        title = f"[{notice.grade}] {notice.title}" if notice.grade else notice.title
        link = notice.link
        # A TextBlock reads markdown; a TextRun inside a RichTextBlock shows text as it is.
        run = {"type": "TextRun", "text": escaping.one_line(title), "weight": "Bolder"}
        card: dict[str, Any] = {
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard",
            "version": "1.4",
            "body": [{"type": "RichTextBlock", "inlines": [run]}],
        }
        if link:
            with translation.override(notice.language):
                label = _("Open in Yingji")
            card["actions"] = [{"type": "Action.OpenUrl", "title": label, "url": link}]
        payload = {
            "type": "message",
            "attachments": [
                {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
            ],
        }
        return json.dumps(post_json(channel.config["url"], payload), ensure_ascii=False)[:500]


class SmsGatewayTransport(Transport):
    """SMS through the company's HTTP gateway or a cloud SMS API. The body is a template with
    {{mobile}} and {{text}}, escaped for the body's format; success is read from the answer."""

    kind = ChannelKind.SMS
    FORMATS = ("json", "form")

    def clean(self, config: dict[str, Any]) -> dict[str, Any]:
        url = _check_url(config)
        body_format = str(config.get("body_format") or "json")
        if body_format not in self.FORMATS:
            raise DomainError(_("The body format is json or form."), field="body_format")
        template = str(config.get("body_template", "")).strip()
        if "{{mobile}}" not in template or "{{text}}" not in template:
            raise DomainError(
                _("The body template must contain {{mobile}} and {{text}}."), field="body_template"
            )
        cleaned = {
            "url": url,
            "body_format": body_format,
            "body_template": template,
            "success_field": str(config.get("success_field", "")).strip(),
            "success_value": str(config.get("success_value", "")).strip(),
            "auth_header": str(config.get("auth_header", "")).strip(),
        }
        try:
            self.render(cleaned, "13800000000", '测试 "引号" & 符号')
        except ValueError:
            raise DomainError(
                _("With sample values the template is not valid JSON."), field="body_template"
            ) from None
        return cleaned

    @staticmethod
    def render(config: dict[str, Any], mobile: str, text: str) -> bytes:
        if config["body_format"] == "json":
            escape = lambda value: json.dumps(value, ensure_ascii=False)[1:-1]  # noqa: E731
            body = config["body_template"].replace("{{mobile}}", escape(mobile))
            body = body.replace("{{text}}", escape(text))
            json.loads(body)  # raises ValueError when the template is not JSON
            return body.encode("utf-8")
        body = config["body_template"].replace("{{mobile}}", urllib.parse.quote_plus(mobile))
        return body.replace("{{text}}", urllib.parse.quote_plus(text)).encode("utf-8")

    def send(self, channel: Any, notice: Notice, delivery: Any) -> str:
        config = channel.config
        text = render_format(notice, "sms.txt")[:300]  # SMS: title, grade and a link only
        body = self.render(config, delivery.address, text)
        headers = {}
        if config["body_format"] == "form":
            headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
        if config.get("auth_header"):
            headers["Authorization"] = config["auth_header"]
        answer = post_json(config["url"], {}, headers=headers, body=body)
        field, expected = config.get("success_field"), config.get("success_value")
        if field:
            value: Any = answer
            for part in field.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            if str(value) != expected:
                said = json.dumps(answer, ensure_ascii=False)[:300]
                raise SendError(f"gateway said {field}={value!r}: {said}", temporary=False)
        return json.dumps(answer, ensure_ascii=False)[:500]


class WebhookTransport(Transport):
    """Any system of yours: JSON signed with HMAC-SHA256 over `timestamp.body`."""

    kind = ChannelKind.WEBHOOK

    def clean(self, config: dict[str, Any]) -> dict[str, Any]:
        secret = str(config.get("secret", "")).strip()
        if len(secret) < 16:
            raise DomainError(_("Use a signing secret of at least 16 characters."), field="secret")
        return {"url": _check_url(config), "secret": secret}

    def send(self, channel: Any, notice: Notice, delivery: Any) -> str:
        payload = {
            "event": notice.event,
            "title": notice.title,
            "text": notice.body,
            "grade": notice.grade,
            "facts": notice.facts,
            "language": notice.language,
            "link": notice.link,
            "message": notice.message_id,
            "delivery": delivery.pk,
        }
        timestamp = str(int(time.time()))
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
        signature = hmac.new(
            channel.config["secret"].encode(), timestamp.encode() + b"." + body, hashlib.sha256
        ).hexdigest()
        answer = post_json(
            channel.config["url"],
            payload,
            body=body,
            headers={"X-Yingji-Timestamp": timestamp, "X-Yingji-Signature": f"sha256={signature}"},
        )
        return json.dumps(answer, ensure_ascii=False)[:1000]


def _errcode_verdict(answer: Any, field: str, temporary: set[int], broken: set[int]) -> str:
    text = json.dumps(answer, ensure_ascii=False)[:1000]
    code = answer.get(field) if isinstance(answer, dict) else None
    if code == 0:
        return text
    if code in temporary:
        raise SendError(f"throttled: {text}", temporary=True)
    raise SendError(f"rejected: {text}", temporary=False, channel_broken=code in broken)


class AppriseTransport(Transport):
    """The long tail: any service apprise knows, by its URL (`pip install yingji[apprise]`).
    apprise does not read robots' error bodies, so the core chats keep their own senders."""

    kind = ChannelKind.APPRISE

    @staticmethod
    @contextlib.contextmanager
    def _apprise() -> Iterator[Any]:
        """apprise, with the e-mail charset table as it was: loading apprise's e-mail plugin
        re-registers UTF-8 process-wide (quoted-printable headers), which would change how
        our own e-mails are encoded."""
        saved = dict(email.charset.CHARSETS)
        try:
            import apprise
        except ImportError:
            raise DomainError(
                _("apprise is not installed: pip install 'yingji[apprise]'."), field="url"
            ) from None
        try:
            yield apprise
        finally:
            email.charset.CHARSETS.clear()
            email.charset.CHARSETS.update(saved)

    def clean(self, config: dict[str, Any]) -> dict[str, Any]:
        url = str(config.get("url", "")).strip()
        with self._apprise() as apprise:
            known = apprise.Apprise().add(url)
        if not known:
            raise DomainError(
                _("apprise does not recognise this URL (see its list of services)."), field="url"
            )
        return {"url": url}

    def send(self, channel: Any, notice: Notice, delivery: Any) -> str:
        problems: list[str] = []
        try:
            with self._apprise() as apprise:
                sender = apprise.Apprise()
                if not sender.add(channel.config["url"]):
                    raise SendError(
                        "apprise rejected the URL", temporary=False, channel_broken=True
                    )
                result = sender.notify(
                    title=escaping.one_line(notice.title),
                    body=render_format(notice, "im.md"),
                    body_format=apprise.NotifyFormat.MARKDOWN,
                    log_callback=lambda entry, _plugin: problems.append(entry.message),
                    log_level=logging.WARNING,
                )
        except DomainError as exc:  # apprise was uninstalled after the channel was saved
            raise SendError(str(exc.message), temporary=False, channel_broken=True) from None
        if not result:  # apprise cannot tell a refusal from an outage: retry, then give up
            raise SendError("apprise: " + ("; ".join(problems) or "not sent"), temporary=True)
        return f"apprise: sent to {result.success_count} service(s)"


TRANSPORTS: dict[str, Transport] = {
    t.kind: t
    for t in (
        CaptureTransport(),
        EmailTransport(),
        DingTalkTransport(),
        WeComTransport(),
        FeishuTransport(),
        SlackTransport(),
        TeamsTransport(),
        WebhookTransport(),
        SmsGatewayTransport(),
        AppriseTransport(),
    )
}
