"""Tsunagu's one settings module, configured by environment variables.

Nothing set: development on SQLite under ./var. ``DATABASE_URL`` selects PostgreSQL.
``TSUNAGU_PRODUCTION=1`` turns on production mode, which refuses to start with the development
secret key or with ``DEBUG`` on.
"""

import datetime as dt
import ipaddress
import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean, got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def development_secret_key(data_dir: Path) -> str:
    """A random key made on the first run and kept in the data directory (owner-only).

    No key is written in the source: a published one would let anyone forge sessions of a
    development or demo instance. Production sets ``SECRET_KEY`` and never reaches this.
    """
    path = data_dir / "secret_key"
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    except OSError:
        # A read-only checkout: a key for this process only (sessions end when it stops).
        return secrets.token_urlsafe(50)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        key = secrets.token_urlsafe(50)
        handle.write(key)
    return key


PRODUCTION = env_bool("TSUNAGU_PRODUCTION", False)
DATA_DIR = Path(env_str("TSUNAGU_DATA_DIR", str(BASE_DIR / "var")))
SECRET_KEY = env_str("SECRET_KEY") or ("" if PRODUCTION else development_secret_key(DATA_DIR))
DEBUG = env_bool("DEBUG", not PRODUCTION)

if PRODUCTION:
    if not SECRET_KEY or len(SECRET_KEY) < 40:
        raise ImproperlyConfigured("本番モードでは SECRET_KEY（40文字以上）を設定してください。")
    if DEBUG:
        raise ImproperlyConfigured("本番モードでは DEBUG を有効にできません。")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]"])
# The reverse proxies in front (addresses or networks, comma-separated) whose X-Forwarded-For is
# believed for the client's address (core.middleware.client_ip, decision 0032). Empty: the
# header is never read and REMOTE_ADDR is the client.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES の {_proxy!r} はアドレスではありません。") from _error
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp_webauthn",
    # The agencies' systems' API (issue 14, decision 0037): DRF's OpenAPI schema and the Swagger
    # UI files served from the package (no outside assets). DRF itself is used but not installed
    # as an app: its translation catalogue would take precedence over Django's own and change the
    # messages of every form (tsunagu/api/errors.py gives the API's messages).
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "tsunagu.core",
    "tsunagu.audit",
    "tsunagu.agencies",
    "tsunagu.people",
    "tsunagu.cases",
    "tsunagu.intake",
    "tsunagu.records",
    "tsunagu.assessments",
    "tsunagu.plans",
    "tsunagu.referrals",
    "tsunagu.meetings",
    "tsunagu.places",
    "tsunagu.training",
    "tsunagu.public",
    "tsunagu.reports",
    "tsunagu.imports",
    "tsunagu.work",
    "tsunagu.api",
    "tsunagu.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tsunagu.core.middleware.language_middleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session has passed its second factor (S6).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tsunagu.core.middleware.session_timeout_middleware",
    # The admin site too sends a session without its second factor to that step, and a session
    # that must choose its own password to that page, before anything else.
    "tsunagu.core.access.staff_gate_middleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "tsunagu.core.middleware.request_context_middleware",
    # After the view's ATOMIC_REQUESTS block: a refused read is logged even though it rolled back.
    "tsunagu.audit.middleware.security_log_middleware",
    # Likewise after it: every call with an API token is recorded, refused ones included.
    "tsunagu.api.middleware.api_call_middleware",
    "tsunagu.core.middleware.no_store_middleware",
    # Last, as django-axes asks: it turns a sign-in refused during a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# The benchmark's timing headers (tsunagu/core/timing.py); off in production unless asked for.
if env_bool("TSUNAGU_SERVER_TIMING", False):
    MIDDLEWARE.insert(0, "tsunagu.core.timing.server_timing_middleware")

ROOT_URLCONF = "tsunagu.urls"
WSGI_APPLICATION = "tsunagu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tsunagu" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tsunagu.core.context_processors.staff",
                "tsunagu.audit.context_processors.audit",
            ],
        },
    },
]

# --- Database: SQLite (WAL) by default, PostgreSQL through DATABASE_URL -------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # PostgreSQL's JIT compiles a large aggregate for 0.2–0.6 s before running it: the
        # council's statistics paid that on every table, and the short queries of daily work gain
        # nothing from it (decision 0036). A DATABASE_URL that sets jit itself wins.
        _options = DATABASES["default"].setdefault("OPTIONS", {})
        if "jit" not in str(_options.get("options", "")):
            _options["options"] = (str(_options.get("options", "")) + " -c jit=off").strip()
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "tsunagu.sqlite3"),
            "OPTIONS": {
                "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"),
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
# The schema owner's connection to the same database, used by ``manage.py migrate`` only; the
# application then connects (DATABASE_URL) as a role that may only read and append the audit
# trail (``manage.py db_roles``, docs/decisions/0009-database-roles-and-role-changes.md).
MIGRATE_DATABASE_URL = env_str("MIGRATE_DATABASE_URL")
# Every request runs in one transaction, so that the access events of a request are written
# with (and only with) the data the request showed or changed (docs/quality.md S3).
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds the public form's rate-limit counts, so it must be shared by every app server
# process (docs/decisions/0011-sessions-and-shared-rate-limit.md): Redis when REDIS_URL is set;
# otherwise, in production, Django's database cache (table made by migration core 0002); a
# per-process memory cache only in development, where one process serves.
REDIS_URL = env_str("REDIS_URL")
SHARED_CACHE_TABLE = "tsunagu_cache"
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
elif PRODUCTION:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": SHARED_CACHE_TABLE}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Authentication and sessions --------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in lockout (S7; docs/decisions/0025-sign-in-lockout.md): django-axes counts failed
# sign-ins per user name *and* address together, so that one person mistyping in an office that
# shares one address does not lock out the others, and an attacker trying one name from many
# addresses, or many names from one, meets the limit for each pair. After the limit the pair is
# refused for the cool-off, whatever the password; a successful sign-in (its second factor passed,
# not the password alone) clears the count; an
# administrator may lift a lockout (recorded, audit/admin.py). Every sign-in, failure, lockout and
# sign-out goes to the security log (audit/signin.py), not to axes' own access log.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("SIGNIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("SIGNIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Not at the password: a sign-in succeeds with its second factor, which clears the count
# (core.mfa.sign_in_failures_clear); else the password would clear the count of wrong codes.
AXES_RESET_ON_SUCCESS = False
# A fixed cool-off from the lockout: further tries during it do not extend it (a person can be
# told "15 minutes"); each pair still gets only AXES_FAILURE_LIMIT tries per cool-off.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "tsunagu.core.middleware.client_ip_or_none"  # REMOTE_ADDR, as everywhere else
AXES_USERNAME_CALLABLE = "tsunagu.core.middleware.client_username"  # cut to an account name's length
AXES_LOCKOUT_CALLABLE = "tsunagu.core.views.signin_locked"
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False  # audit/admin.py registers a read-only list whose unlock is recorded
AXES_VERBOSE = False  # no user names or addresses in the application log
# Axes keeps the rest of a refused form; the second-factor code is no more its business than the password.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password", "code"]
LOGIN_URL = "login"
# Two-factor sign-in (S6; docs/decisions/0033-two-factor-sign-in.md). After the password a session
# reaches only the second-factor step (core.access): a code from an authenticator app (TOTP), a
# security key or Windows Hello (WebAuthn), or one of ten one-time recovery codes. An account
# without a factor enrols one first. TOTP codes are single-use (django-otp keeps the last step
# used); after a wrong code the device waits 1, 2, 4, … seconds, and each wrong code also counts
# towards the lockout of the user name and address above.
OTP_TOTP_ISSUER = env_str("TSUNAGU_OTP_ISSUER") or "つなぐ"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# WebAuthn: a second factor only, never a sign-in without the password. The relying party is the
# host the browser sees (TSUNAGU_WEBAUTHN_RP_ID to fix it, e.g. "tsunagu.city.example.lg.jp";
# credentials are bound to it and do not move to another name).
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_RP_NAME = OTP_TOTP_ISSUER
OTP_WEBAUTHN_RP_ID = env_str("TSUNAGU_WEBAUTHN_RP_ID") or ""
OTP_WEBAUTHN_RP_ID_CALLABLE = "tsunagu.core.mfa.relying_party_id"
# The origins a key's answer may come from: TSUNAGU_WEBAUTHN_ORIGINS, else https:// and each
# ALLOWED_HOSTS name (production serves only TLS). Outside production the page's own origin is
# accepted too (the demo's and the tests' ports vary): tsunagu.core.mfa.WebAuthnHelper.
OTP_WEBAUTHN_ALLOWED_ORIGINS = (
    env_list("TSUNAGU_WEBAUTHN_ORIGINS", [])
    or [f"https://{host}" for host in ALLOWED_HOSTS if host and "*" not in host and not host.startswith(".")]
    or ["http://localhost"]
)
OTP_WEBAUTHN_HELPER_CLASS = "tsunagu.core.mfa.WebAuthnHelper"
OTP_WEBAUTHN_EXCEPTION_LOGGER_NAME = "tsunagu.webauthn"
# Development and demo only: the second-factor page shows the account's current code, so that the
# demo can be tried without an authenticator app. Refused in production (below).
DEMO_SECOND_FACTOR_HINT = env_bool("TSUNAGU_DEMO_SECOND_FACTOR_HINT", False)
if PRODUCTION and DEMO_SECOND_FACTOR_HINT:
    raise ImproperlyConfigured("本番モードでは TSUNAGU_DEMO_SECOND_FACTOR_HINT を有効にできません。")
LOGIN_REDIRECT_URL = "work:home"
LOGOUT_REDIRECT_URL = "login"
# Idle and absolute timeouts are enforced by tsunagu.core.middleware.session_timeout_middleware,
# which counts only a person's requests as activity (not the queue's background refresh).
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60)
# The activity time in the session moves (and the session row is rewritten) only when it is at
# least this old: clicks within a minute save the session once. The idle timeout may therefore
# end a session up to this much before SESSION_IDLE_SECONDS of real idleness, never after.
SESSION_ACTIVITY_GRANULARITY_SECONDS = env_int("SESSION_ACTIVITY_GRANULARITY_SECONDS", 60)
# Django's own expiry is a backstop a little behind the idle timeout (so that the middleware, not
# the backstop, ends the session and says why): the session is saved, and its expiry moved, only
# when the middleware records a person's activity, never on a poll.
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS + 5 * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
# No script reads a cookie (htmx sends the form's CSRF field): every cookie is HttpOnly.
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
# Behind a proxy that terminates TLS (and sets X-Forwarded-Proto itself, overwriting whatever
# the client sent), Django must be told the request came over HTTPS, or every secure-cookie
# session would be lost and SECURE_SSL_REDIRECT would loop. Only turn this on behind such a proxy:
# the HTTP benchmark plays that proxy on the loopback (docs/benchmarks.md).
if env_bool("TSUNAGU_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31536000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HSTS preload lists are for public Internet domains; Tsunagu runs on closed municipal networks.
# models.W040: SQLite builds the covering indexes (the access trail's, the statistics') without
# their included columns, which only PostgreSQL uses; the warning says nothing the demo can act on.
SILENCED_SYSTEM_CHECKS = ["security.W021", "models.W040"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Language, time --------------------------------------------------------------------------
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "tsunagu" / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

# --- Static files: served by WhiteNoise from the apps (vendor files copied by scripts/setup) ----
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "tsunagu" / "static"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Limits on what a request may carry (public form: docs/quality.md S11) ------------------------
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 400
FILE_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
PUBLIC_FORM_RATE = env_str("PUBLIC_FORM_RATE", "5/h")
RATELIMIT_VIEW = "tsunagu.public.views.rate_limited"

# No personal data in the logs (docs/quality.md S10): Django's own records name a request's path
# (ids only, never a name: decision 0028) and never its body. Two of its loggers would, at DEBUG,
# write personal data: the template engine logs a failed variable lookup with the whole template
# context (names, summaries), the database backend logs every query with its parameters. They
# stay at INFO whatever LOG_LEVEL says. Shown by core/tests/test_no_personal_data_in_logs.py.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {
        "django.template": {"level": "INFO"},
        "django.db.backends": {"level": "INFO"},
    },
}

# --- Tsunagu's own -----------------------------------------------------------------------------
# The display name of the municipality comes from reference data; these are only fallbacks.
TSUNAGU_SITE_NAME = env_str("TSUNAGU_SITE_NAME", "つなぐ")
# How long emergency access ("break the glass", docs/quality.md S13) to a case lasts.
EMERGENCY_ACCESS_HOURS = env_int("EMERGENCY_ACCESS_HOURS", 3)
# How many emergency grants one user may open per calendar day (TIME_ZONE, Asia/Tokyo).
EMERGENCY_ACCESS_PER_DAY = env_int("EMERGENCY_ACCESS_PER_DAY", 3)
# How long after a case meeting its attending agencies still see the discussed cases' summaries.
MEETING_ACCESS_DAYS = env_int("MEETING_ACCESS_DAYS", 30)
# A meeting may be scheduled at most this many days ahead (its date starts the sharing window).
MEETING_MAX_DAYS_AHEAD = env_int("MEETING_MAX_DAYS_AHEAD", 365)

# --- Retention (issue 11 item 7, decision 0031) ------------------------------------------------
# How long personal data is kept before `manage.py retention --apply` anonymises it: a case's
# household, persons and texts this many years after the case's closure; a consultation that
# never became a case this many years after it was received. The audit trail's own period is
# enforced by the database owner dropping monthly partitions older than it (decision 0019), never
# by the application role, which may only append to the audit tables (decision 0009).
RETENTION_CASE_YEARS = env_int("RETENTION_CASE_YEARS", 5)
RETENTION_CONSULTATION_YEARS = env_int("RETENTION_CONSULTATION_YEARS", 5)
RETENTION_AUDIT_YEARS = env_int("RETENTION_AUDIT_YEARS", 10)

# Small-cell protection of the council's statistics (issue 13, decision 0035): counts below this
# are not published. Raising it protects more; below 2 nothing would be protected, so it refuses.
TSUNAGU_REPORT_THRESHOLD = env_int("TSUNAGU_REPORT_THRESHOLD", 5)
if TSUNAGU_REPORT_THRESHOLD < 2:
    raise ImproperlyConfigured("TSUNAGU_REPORT_THRESHOLD は2以上にしてください（小さな数の保護）。")
# Parallel workers per statement for the statistics on PostgreSQL (reports.compose): the server
# may keep 0 for the daily pages (docs/scaling.md) while the statistics' large aggregates use
# these. Empty: the server's own setting.
TSUNAGU_REPORT_PARALLEL_WORKERS = (
    env_int("TSUNAGU_REPORT_PARALLEL_WORKERS", 2) if os.environ.get("TSUNAGU_REPORT_PARALLEL_WORKERS", "2") else None
)
if TSUNAGU_REPORT_PARALLEL_WORKERS is not None and TSUNAGU_REPORT_PARALLEL_WORKERS < 0:
    raise ImproperlyConfigured("TSUNAGU_REPORT_PARALLEL_WORKERS は0以上にしてください。")
# Sections computed at once for the report of every section (年次報告), each on its own database
# connection (PostgreSQL only; reports.compose.sections_tables, decision 0036). 1: one after another.
TSUNAGU_REPORT_CONCURRENCY = env_int("TSUNAGU_REPORT_CONCURRENCY", 2)
if TSUNAGU_REPORT_CONCURRENCY < 1:
    raise ImproperlyConfigured("TSUNAGU_REPORT_CONCURRENCY は1以上にしてください。")

# --- The agencies' systems' API (issue 14, decision 0037, docs/api.md) ---------------------------
# Token authentication only (no session, no browsable API): a token's scope per method, deny by
# default; one error shape; a rate per token counted in the shared cache (decision 0011).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["tsunagu.api.drf.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["tsunagu.api.drf.ScopePermission"],
    "DEFAULT_THROTTLE_CLASSES": ["tsunagu.api.drf.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["tsunagu.api.drf.JsonBodyParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "tsunagu.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Calls per token (DRF's "N/second|minute|hour|day"); beyond it, 429 until the window passes.
API_TOKEN_RATE = env_str("API_TOKEN_RATE", "120/min")
# The longest a token may be issued for; it is then issued anew (and the old one left to expire).
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 365)
SPECTACULAR_SETTINGS = {
    "TITLE": "Tsunagu API",
    "DESCRIPTION": "The agencies' systems' API: consultations, persons, cases, progress records, referrals, "
    "places and events. Every call acts as the token's system account, through the same access rules as the "
    "screens (docs/access.md); what the caller may not see answers 404. See docs/api.md.",
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its documentation page are for signed-in staff (core.access.login_only).
    "SERVE_PUBLIC": True,
    "SERVE_AUTHENTICATION": ["rest_framework.authentication.SessionAuthentication"],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "tsunagu.cases.models.CaseStatus",
        "ReferralStatusEnum": "tsunagu.referrals.models.ReferralStatus",
        "ConcernEnum": "tsunagu.intake.models.Concern",
        "SharingBasisEnum": "tsunagu.cases.models.SharingBasis",
    },
}
