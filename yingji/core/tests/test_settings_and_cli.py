"""Configuration from the environment, the self-check and the `yingji` command."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from yingji.env import ConfigError, ensure_secret_key, env_bool, env_int, env_ints, env_str

PROJECT = Path(__file__).resolve().parents[3]


def run_yingji(*args: str, env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("YINGJI_", "DJANGO_"))}
    full_env.pop("DJANGO_SETTINGS_MODULE", None)
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "yingji.cli", *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=PROJECT,
    )


def test_malformed_environment_values_name_the_variable(monkeypatch):
    monkeypatch.setenv("YINGJI_DEBUG", "perhaps")
    with pytest.raises(ConfigError, match="YINGJI_DEBUG"):
        env_bool("YINGJI_DEBUG", False)
    monkeypatch.setenv("YINGJI_SESSION_HOURS", "0")
    with pytest.raises(ConfigError, match="at least 1"):
        env_int("YINGJI_SESSION_HOURS", 12, minimum=1)


def test_the_progress_cadence_takes_four_whole_minutes(monkeypatch):
    monkeypatch.setenv("YINGJI_PROGRESS_MINUTES", "15, 30,60,120")
    assert env_ints("YINGJI_PROGRESS_MINUTES", [30, 60, 120, 240], count=4) == [15, 30, 60, 120]
    for bad in ("15,30,60", "15,30,sixty,120", "0,30,60,120"):
        monkeypatch.setenv("YINGJI_PROGRESS_MINUTES", bad)
        with pytest.raises(ConfigError, match="YINGJI_PROGRESS_MINUTES"):
            env_ints("YINGJI_PROGRESS_MINUTES", [30, 60, 120, 240], count=4)


def test_a_secret_may_come_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "key"
    secret.write_text("from-a-file\n", encoding="utf-8")
    monkeypatch.setenv("YINGJI_SECRET_KEY_FILE", str(secret))
    assert env_str("YINGJI_SECRET_KEY", secret=True) == "from-a-file"
    monkeypatch.setenv("YINGJI_SECRET_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match="cannot be read"):
        env_str("YINGJI_SECRET_KEY", secret=True)


def test_the_embedded_secret_key_is_generated_once_and_kept_private(tmp_path):
    first = ensure_secret_key(tmp_path)
    assert ensure_secret_key(tmp_path) == first
    assert len(first) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("YINGJI_TIME_ZONE", "Mars/Olympus", "not a known time zone"),
        ("YINGJI_LANGUAGE", "fr", "not one of"),
        ("YINGJI_DATABASE_URL", "mysql://x@y/z", "must be a postgres:// or sqlite:// URL"),
        ("YINGJI_METRICS_RATE", "lots", "a rate like 1200/minute"),
    ],
)
def test_a_bad_setting_stops_start_up_with_a_clear_message(tmp_path, variable, value, message):
    result = run_yingji("check", env={"YINGJI_DATA_DIR": str(tmp_path), variable: value})
    assert result.returncode != 0
    assert "configuration error" in result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_the_default_language_is_simplified_chinese_and_the_zone_shanghai(tmp_path):
    code = "from django.conf import settings; print(settings.LANGUAGE_CODE, settings.TIME_ZONE)"
    result = run_yingji(
        "manage", "shell", "--no-imports", "-c", code, env={"YINGJI_DATA_DIR": str(tmp_path)}
    )
    assert result.stdout.split() == ["zh-hans", "Asia/Shanghai"], result.stderr


def test_the_embedded_database_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    code = (
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('PRAGMA journal_mode'); mode = c.fetchone()[0]; "
        "c.execute('PRAGMA busy_timeout'); print(mode, c.fetchone()[0])"
    )
    result = run_yingji(
        "manage", "shell", "--no-imports", "-c", code, env={"YINGJI_DATA_DIR": str(tmp_path)}
    )
    assert result.stdout.split() == ["wal", "20000"], result.stderr


def test_postgres_without_a_secret_key_refuses_to_start(tmp_path):
    result = run_yingji("check", env={"YINGJI_DATABASE_URL": "postgres://u@127.0.0.1:1/x"})
    assert "YINGJI_SECRET_KEY" in result.stderr


def test_demo_then_check_on_a_fresh_data_dir(tmp_path):
    env = {"YINGJI_DATA_DIR": str(tmp_path)}
    first = run_yingji("demo", "--if-empty", env=env)
    assert first.returncode == 0, first.stderr
    assert "leader" in first.stdout and "yingji-demo" in first.stdout
    assert (tmp_path / "yingji.sqlite3").exists()
    again = run_yingji("demo", env=env)  # idempotent: nothing is duplicated
    assert again.returncode == 0, again.stderr
    count = run_yingji(
        "manage",
        "shell",
        "--no-imports",
        "-c",
        "from yingji.org.models import Person; "
        "from yingji.incidents.models import Incident; "
        "from yingji.recovery.models import AfterPhase, Measure; "
        "print(Person.objects.count(), sorted(Incident.objects.values_list("
        "'status', flat=True)), AfterPhase.objects.filter(closed_at__isnull=False).count(), "
        "sorted(Measure.objects.values_list('status', flat=True)))",
        env=env,
    )
    # The demo's incidents: a live response, one to judge, one closed as an ordinary fault,
    # three finished responses (an exercise among them); one after-phase finished and closed,
    # the other's measures overdue.
    assert count.stdout.strip() == (
        "59 ['closed', 'ended', 'ended', 'ended', 'reported', 'responding'] 1 "
        "['in_progress', 'not_doing', 'open', 'open', 'verified']"
    )
    check = run_yingji("check", env=env)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "[ok] database reachable" in check.stdout
    verified = run_yingji("manage", "audit_verify", env=env)
    assert "audit trail intact" in verified.stdout


def test_token_create_prints_a_token_that_the_api_accepts(tmp_path):
    env = {"YINGJI_DATA_DIR": str(tmp_path)}
    assert run_yingji("demo", env=env).returncode == 0
    created = run_yingji("token", "create", "office", "--name", "deploy", env=env)
    token = created.stdout.strip()
    assert token.startswith("yj_"), created.stderr
    listed = run_yingji("token", "list", "office", env=env)
    assert "deploy" in listed.stdout and "live" in listed.stdout
    unknown = run_yingji("token", "create", "nobody", env=env)
    assert unknown.returncode != 0 and "no user named" in unknown.stderr


def test_worker_once_runs_one_engine_cycle_and_records_its_heartbeat(tmp_path):
    env = {"YINGJI_DATA_DIR": str(tmp_path)}
    assert run_yingji("manage", "migrate", "-v", "0", env=env).returncode == 0
    result = run_yingji("worker", "--once", env=env)
    assert result.returncode == 0, result.stderr
    assert "one cycle: 0 item(s) handled" in result.stdout
    code = "from yingji.engine.models import Worker; print(Worker.objects.get().cycles)"
    shown = run_yingji("manage", "shell", "--no-imports", "-c", code, env=env)
    assert shown.stdout.strip() == "1", shown.stderr


def test_serve_refuses_a_nonsense_port(tmp_path):
    result = run_yingji("serve", "--port", "0", env={"YINGJI_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0 and "--port must be a positive number" in result.stderr


def test_behind_https_the_browser_is_told_to_use_nothing_else(tmp_path):
    """HSTS on HTTPS responses once secure cookies are on behind the proxy (issue 15)."""
    code = (
        "from django.test import Client; "
        "r = Client().get('/accounts/login/', headers={'X-Forwarded-Proto': 'https'}, "
        "secure=False); print(r.headers.get('Strict-Transport-Security'))"
    )
    env = {
        "YINGJI_DATA_DIR": str(tmp_path),
        "YINGJI_SECURE_COOKIES": "true",
        "YINGJI_BEHIND_PROXY": "true",
        "YINGJI_ALLOWED_HOSTS": "testserver",
    }
    result = run_yingji("manage", "shell", "--no-imports", "-c", code, env=env)
    assert result.stdout.strip() == "max-age=31536000", result.stderr
    env["YINGJI_SECURE_COOKIES"] = "false"
    result = run_yingji("manage", "shell", "--no-imports", "-c", code, env=env)
    assert result.stdout.strip() == "None", result.stderr
