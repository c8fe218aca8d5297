"""Test settings: the real settings with a fast password hasher (tests create many users) and a
file-backed SQLite test database, so threaded tests meet SQLite's real locking."""

import tempfile
from pathlib import Path

from yingji.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
REST_FRAMEWORK = {  # noqa: F405
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"anon": "1000/min", "user": "10000/min"},
}  # noqa: F405
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    _test_dir = Path(tempfile.mkdtemp(prefix="yingji-test-"))
    DATABASES["default"]["TEST"] = {"NAME": str(_test_dir / "test.sqlite3")}  # noqa: F405
LANGUAGE_CODE = "en"  # assertions read English unless a test asks for another language
# Tests read what was sent right after one engine cycle: the cycle waits for its lanes
# (a test of a hanging channel sets this back to the production value).
SEND_WAIT_MS = 30_000
