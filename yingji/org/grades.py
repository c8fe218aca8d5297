"""The grade scale of the regulation: every app that grades an alert, a risk or an incident
uses these words and colours."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Grade(models.TextChoices):
    """Event grades, I the most severe; the colour is part of how people read them."""

    I = "I", _("I · Especially serious")  # noqa: E741 — the grade's own name  # 特别重大
    II = "II", _("II · Serious")  # 重大
    III = "III", _("III · Relatively serious")  # 较大
    IV = "IV", _("IV · General")  # 一般


GRADE_COLOURS: dict[str, str] = {
    Grade.I: "red",
    Grade.II: "orange",
    Grade.III: "yellow",
    Grade.IV: "blue",
}


class ResponseLevel(models.TextChoices):
    """The response the leadership group orders (一级..四级响应); not the same as the grade."""

    L1 = "1", _("Level 1 response")
    L2 = "2", _("Level 2 response")
    L3 = "3", _("Level 3 response")
    L4 = "4", _("Level 4 response")
