"""Yingji settings: all from YINGJI_* environment variables (see docs/operations.md)."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _
from limits import parse as _limits_parse

from yingji.env import (
    ConfigError,
    ensure_secret_key,
    env_bool,
    env_choice,
    env_int,
    env_ints,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("YINGJI_DATA_DIR", "var")).resolve()

DATABASE_URL = env_str("YINGJI_DATABASE_URL", "", secret=True)
EMBEDDED = (
    not DATABASE_URL
)  # embedded mode: SQLite file in the data dir, web + engine in one process


SQLITE_OPTIONS = {
    # IMMEDIATE takes the write lock at BEGIN, so two writers queue on the busy timeout
    # instead of failing with "database is locked" half-way through a transaction.
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    # Checkpoint the WAL every ~40 MB rather than every 4 MB: monitoring samples arrive in
    # steady batches, and each checkpoint costs a sync (measured: 52,000 → 85,000 rows/s).
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
    "PRAGMA wal_autocheckpoint=10000;",
}


SQLITE_CONN_MAX_AGE = 600


def _database() -> dict:
    if EMBEDDED:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "yingji.sqlite3"),
            "OPTIONS": dict(SQLITE_OPTIONS),
            # kept open by each serving thread: opening one (and its PRAGMAs) cost more than
            # an alert payload's whole write (bench/README.md)
            "CONN_MAX_AGE": SQLITE_CONN_MAX_AGE,
        }
    try:
        config = dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:  # dj-database-url raises several types for a bad URL
        raise ConfigError(f"YINGJI_DATABASE_URL is not a database URL: {exc}") from None
    if config.get("ENGINE") not in {
        "django.db.backends.postgresql",
        "django.db.backends.sqlite3",
    }:
        raise ConfigError("YINGJI_DATABASE_URL must be a postgres:// or sqlite:// URL.")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}
        config["CONN_MAX_AGE"] = SQLITE_CONN_MAX_AGE
    return dict(config)


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SECRET_KEY = env_str("YINGJI_SECRET_KEY", secret=True)
if not SECRET_KEY:
    if not EMBEDDED:
        raise ConfigError(
            "YINGJI_SECRET_KEY (or YINGJI_SECRET_KEY_FILE) is required with PostgreSQL."
        )
    SECRET_KEY = ensure_secret_key(DATA_DIR)

DEBUG = env_bool("YINGJI_DEBUG", False)
ALLOWED_HOSTS = env_list("YINGJI_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("YINGJI_CSRF_TRUSTED_ORIGINS", [])
SECURE_COOKIES = env_bool("YINGJI_SECURE_COOKIES", False)  # true behind HTTPS
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
# Behind HTTPS browsers are told to use nothing else (Strict-Transport-Security), for a year
# unless set otherwise; 0 turns it off. Django sends it on HTTPS responses only.
SECURE_HSTS_SECONDS = env_int("YINGJI_HSTS_SECONDS", 31_536_000 if SECURE_COOKIES else 0)
if env_bool("YINGJI_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_AGE = env_int("YINGJI_SESSION_HOURS", 12, minimum=1) * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

TIME_ZONE = env_str("YINGJI_TIME_ZONE", "Asia/Shanghai")
try:
    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ConfigError(f"YINGJI_TIME_ZONE={TIME_ZONE!r} is not a known time zone.") from None
USE_TZ = True
USE_I18N = True
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文"), ("en", "English")]
LANGUAGE_CODE = env_choice("YINGJI_LANGUAGE", "zh-hans", {code for code, _name in LANGUAGES})
LOCALE_PATHS = [BASE_DIR / "locale"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_filters",
    "axes",
    "csp",
    "yingji.core",
    "yingji.audit",
    "yingji.accounts",
    "yingji.org",
    "yingji.engine",
    "yingji.notify",
    "yingji.incidents",
    "yingji.plans",
    "yingji.monitoring",
    "yingji.intake",
    "yingji.oncall",
    "yingji.risks",
    "yingji.reserves",
    "yingji.recovery",
    "yingji.front",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "yingji.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "yingji.core.middleware.DomainErrorMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "yingji.urls"
WSGI_APPLICATION = "yingji.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "yingji.front.context.navigation",
                "yingji.notify.context.banner",
            ]
        },
    }
]

STATIC_URL = "/static/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve straight from the installed packages; no collectstatic step
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AXES_FAILURE_LIMIT = env_int("YINGJI_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("YINGJI_LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
# Per user name, not per address: intranet users often share one NAT or proxy address, and one
# person's typos must not lock out a whole floor.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "yingji.accounts.auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "yingji.core.api.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "yingji.core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "yingji.core.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "yingji.core.api.AnonRateThrottle",
        "yingji.core.api.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("YINGJI_API_ANON_RATE", "60/min"),
        "user": env_str("YINGJI_API_USER_RATE", "1200/min"),
    },
}
# Per sender (an agent token, an integration key), per web process: moving-window budgets.
YINGJI_METRICS_RATE = env_str("YINGJI_METRICS_RATE", "1200/minute")
YINGJI_INTAKE_RATE = env_str("YINGJI_INTAKE_RATE", "3000/minute")
for _rate_name in ("YINGJI_METRICS_RATE", "YINGJI_INTAKE_RATE"):
    try:
        _limits_parse(globals()[_rate_name])
    except ValueError as _bad_rate:
        raise ConfigError(f"{_rate_name} is a rate like 1200/minute or 20/second.") from _bad_rate

SPECTACULAR_SETTINGS = {
    "TITLE": "Yingji API",
    "DESCRIPTION": (
        "Technology emergency management. Authenticate with `Authorization: Bearer <token>`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation documents the refusals it can answer with (issue 15).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "yingji.core.schema.document_refusals",
    ],
    # Groups' scenarios and incidents' categories are one choice set (R-PLAN-1).
    "ENUM_NAME_OVERRIDES": {
        "ScenarioEnum": "yingji.org.choices.Scenario",
        "GradeEnum": "yingji.org.grades.Grade",
        "IncidentStatusEnum": "yingji.incidents.choices.Status",
        "TaskStatusEnum": "yingji.incidents.choices.TaskStatus",
        "GroupKindEnum": "yingji.org.choices.GroupKind",
        "AlertSeverityEnum": "yingji.monitoring.choices.Severity",
        "AlertStatusEnum": "yingji.monitoring.choices.AlertStatus",
        "AlertKindEnum": "yingji.monitoring.choices.AlertKind",
        "AssetKindEnum": "yingji.monitoring.choices.AssetKind",
        "CheckKindEnum": "yingji.monitoring.choices.CheckKind",
        "RuleOperatorEnum": "yingji.monitoring.choices.Operator",
        "IntegrationKindEnum": "yingji.intake.choices.IntegrationKind",
        "IncomingAlertStateEnum": "yingji.intake.choices.AlertState",
        "UrgencyEnum": "yingji.oncall.choices.Urgency",
        "RotationEnum": "yingji.oncall.choices.Rotation",
        "DayFilterEnum": "yingji.oncall.choices.DayFilter",
        "CalendarDayKindEnum": "yingji.oncall.choices.DayKind",
        "StepTargetEnum": "yingji.oncall.choices.StepTarget",
        "RiskAssessmentStatusEnum": "yingji.risks.choices.Status",
        "RiskFamilyEnum": "yingji.risks.choices.Family",
        "RiskTreatmentEnum": "yingji.risks.choices.Treatment",
        "RiskKnowledgeEnum": "yingji.risks.choices.Knowledge",
        "RiskMarkEnum": "yingji.risks.choices.Mark",
        "RiskProjectStatusEnum": "yingji.risks.choices.ProjectStatus",
        "RiskCampaignKindEnum": "yingji.risks.choices.CampaignKind",
        "ReserveLocationKindEnum": "yingji.reserves.choices.LocationKind",
        "ReserveItemStatusEnum": "yingji.reserves.choices.ItemStatus",
        "ReserveMovementEnum": "yingji.reserves.choices.Movement",
        "ReserveInspectionResultEnum": "yingji.reserves.choices.InspectionResult",
        "RecoveryPlanStatusEnum": "yingji.recovery.choices.PlanStatus",
        "RecoveryStepStatusEnum": "yingji.recovery.choices.StepStatus",
        "RecoveryRebuildKindEnum": "yingji.recovery.choices.RebuildKind",
        "RecoveryRebuildStatusEnum": "yingji.recovery.choices.RebuildStatus",
        "RecoveryReportStatusEnum": "yingji.recovery.choices.ReportStatus",
        "RecoveryReviewStatusEnum": "yingji.recovery.choices.ReviewStatus",
        "RecoverySectionAuthorEnum": "yingji.recovery.choices.Author",
        "ImprovementSourceEnum": "yingji.recovery.choices.Source",
        "ImprovementChangeEnum": "yingji.recovery.choices.Change",
        "ImprovementStatusEnum": "yingji.recovery.choices.MeasureStatus",
        "ImprovementPlanStatusEnum": "yingji.recovery.choices.CiPlanStatus",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("YINGJI_LOG_LEVEL", "INFO").upper()},
    # urllib3 logs requests with their URLs, and robot URLs carry their access tokens.
    "loggers": {"axes": {"level": "WARNING"}, "urllib3": {"level": "WARNING"}},
}

# Links in e-mails and chat messages point here (the address people use to reach Yingji).
BASE_URL = env_str("YINGJI_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
CANARY_MINUTES = env_int("YINGJI_CANARY_MINUTES", 60, minimum=0)  # 0 turns the canary off
# Deliveries an engine sends at once (one commit records them). A killed worker may repeat
# at most this many; 1 repeats only the one in flight, at a lower send rate.
SEND_CONCURRENCY = env_int("YINGJI_SEND_CONCURRENCY", 8, minimum=1)
# A channel whose sends fail this many times in a row (refused, timed out, 5xx), over at least
# this many seconds, is marked broken and the office is told once (a robot's own error code
# for a bad token or a disabled robot marks it broken at once).
CHANNEL_BROKEN_AFTER_FAILURES = env_int("YINGJI_CHANNEL_BROKEN_AFTER_FAILURES", 5, minimum=1)
CHANNEL_BROKEN_AFTER_SECONDS = env_int("YINGJI_CHANNEL_BROKEN_AFTER_SECONDS", 60, minimum=0)
# Seconds one request to a robot, gateway or mail server may take before it counts as failed.
SEND_TIMEOUT = env_int("YINGJI_SEND_TIMEOUT", 10, minimum=1)
# Each channel sends in its own lane, apart from the engine's cycle; the cycle waits at most
# this many milliseconds for the lanes' answers before timers and escalations run again.
SEND_WAIT_MS = env_int("YINGJI_SEND_WAIT_MS", 200, minimum=0)
# R-RESP-2: minutes a department head has to judge a report before Yingji escalates it.
ESCALATE_MINUTES = env_int("YINGJI_ESCALATE_MINUTES", 15, minimum=1)
# R-HANDLE-2: minutes between progress reports at response levels 1, 2, 3 and 4.
# R-PLAN-2: approvals of leadership-group members a plan version needs (at most the group's size).
PLAN_APPROVAL_QUORUM = env_int("YINGJI_PLAN_APPROVAL_QUORUM", 1, minimum=1)
# R-RESP-3: screenshots and documents attached to an incident, each at most this size.
ATTACHMENT_MAX_MB = env_int("YINGJI_ATTACHMENT_MAX_MB", 10, minimum=1)
# R-MON-1: raw monitoring samples kept this many days (charts and rule previews read them).
SAMPLE_RETENTION_DAYS = env_int("YINGJI_SAMPLE_RETENTION_DAYS", 14, minimum=1)
# Hourly rollups (count, min, max, average) of every series, kept this many days.
ROLLUP_RETENTION_DAYS = env_int("YINGJI_ROLLUP_RETENTION_DAYS", 400, minimum=1)
PROGRESS_MINUTES = dict(
    zip("1234", env_ints("YINGJI_PROGRESS_MINUTES", [30, 60, 120, 240], count=4), strict=True)
)
METRICS_TOKEN = env_str("YINGJI_METRICS_TOKEN", secret=True)
ORGANISATION_NAME = env_str("YINGJI_ORGANISATION_NAME", "") or _("Yingji")
