"""Typed readers for YINGJI_* environment variables.

Every setting comes from the environment; a secret may instead come from a file named by
``<NAME>_FILE`` (Docker/Kubernetes secrets). A malformed value stops start-up with a message
that names the variable, so an operator never meets a half-configured server.
"""

from __future__ import annotations

import os
from pathlib import Path


class ConfigError(Exception):
    """A configuration value is malformed; the message tells the operator what to fix."""


def env_str(name: str, default: str = "", *, secret: bool = False) -> str:
    if secret:
        file_name = os.environ.get(f"{name}_FILE", "").strip()
        if file_name:
            try:
                return Path(file_name).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ConfigError(f"{name}_FILE={file_name!r} cannot be read: {exc}") from exc
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean; use true or false.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise ConfigError(f"{name}={value} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_ints(name: str, default: list[int], *, count: int, minimum: int = 1) -> list[int]:
    """Exactly `count` comma-separated whole numbers, each at least `minimum`."""
    raw = env_list(name, [str(value) for value in default])
    try:
        values = [int(item) for item in raw]
    except ValueError:
        raise ConfigError(f"{name}={','.join(raw)!r} must be whole numbers.") from None
    if len(values) != count or min(values) < minimum:
        raise ConfigError(
            f"{name} needs {count} comma-separated numbers of at least {minimum}, "
            f"e.g. {','.join(map(str, default))}."
        )
    return values


def env_choice(name: str, default: str, choices: set[str]) -> str:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if raw not in choices:
        raise ConfigError(f"{name}={raw!r} is not one of: {', '.join(sorted(choices))}.")
    return raw


def ensure_secret_key(data_dir: Path) -> str:
    """Embedded mode keeps a generated key in the data dir so sessions survive restarts."""
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    from django.core.management.utils import get_random_secret_key

    key = get_random_secret_key()
    data_dir.mkdir(parents=True, exist_ok=True)
    key_file.write_text(key, encoding="utf-8")
    key_file.chmod(0o600)
    return key
