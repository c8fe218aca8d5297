"""Django system checks for operator mistakes (shown by `yingji check` and at start-up)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register


@register()
def data_dir_is_writable(app_configs: Any, **kwargs: Any) -> list:
    data_dir = settings.DATA_DIR
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        probe = data_dir / ".write-probe"
        probe.write_text("ok", encoding="utf-8")
        probe.unlink()
    except OSError as exc:
        return [Error(f"Data directory {data_dir} is not writable: {exc}", id="yingji.E001")]
    return []


@register(deploy=True)
def deployment_settings(app_configs: Any, **kwargs: Any) -> list:
    problems = []
    if settings.DEBUG:
        problems.append(Warning("YINGJI_DEBUG is on; turn it off in production.", id="yingji.W001"))
    if not settings.EMBEDDED and not settings.SECURE_COOKIES:
        problems.append(
            Warning(
                "YINGJI_SECURE_COOKIES is off; turn it on when Yingji is served over HTTPS.",
                id="yingji.W002",
            )
        )
    return problems
