"""Text from outside (an incident title from any reporter, an alert summary from any monitoring
sender) escaped for each chat format, so it is shown as typed and can never add a link, an
image, a heading or a mention (issue 15). Only the mentions Yingji adds itself stay live.

DingTalk and WeCom markdown have no reliable backslash escapes, so their active characters are
replaced by full-width look-alikes, which read the same to a person. Every format gets one
line: a newline would start a fake heading or list, or a second SMS line."""

from __future__ import annotations

import re

# Line breaks of every kind (CR, LF, NEL, LS, PS, ...) and other control characters.
_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_SPACES = re.compile(r"\s{2,}")

_MARKDOWN_LOOK_ALIKES = str.maketrans(
    {
        "[": "［",
        "]": "］",
        "(": "（",
        ")": "）",
        "<": "＜",
        ">": "＞",
        "*": "＊",
        "_": "＿",
        "#": "＃",
        "`": "｀",
        "!": "！",
        "|": "｜",
        "~": "～",
        "@": "＠",
        "\\": "＼",
    }
)
_SLACK_FORMATTING = str.maketrans({"*": "＊", "_": "＿", "~": "～", "`": "｀"})
_TAG_LOOK_ALIKES = str.maketrans({"<": "＜", ">": "＞", "@": "＠"})


def one_line(text: object) -> str:
    """Plain text for SMS, chat titles and plain-text chat messages."""
    return _SPACES.sub(" ", _BREAKS.sub(" ", str(text))).strip()


def markdown(text: object) -> str:
    """For DingTalk and WeCom markdown (and Apprise's markdown body)."""
    return one_line(text).translate(_MARKDOWN_LOOK_ALIKES)


def slack(text: object) -> str:
    """Slack mrkdwn: &, < and > as its documented entities (so `<!channel>` and `<url|x>`
    stay text), and no formatting characters that would break the bold title."""
    escaped = one_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.translate(_SLACK_FORMATTING)


def no_tags(text: object) -> str:
    """Feishu text messages read `<at user_id="all">` as a tag: no tag may come from outside."""
    return one_line(text).translate(_TAG_LOOK_ALIKES)
