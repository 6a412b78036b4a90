"""Settings for the proposal and reply-letter tracker.

One module for every environment: each value comes from an environment variable
with a safe default for a developer's machine (SQLite, tasks run inline).
Production is switched on by variables, not by another code path.
"""

import ipaddress
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env, env_bool, env_list

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG and env_bool("DJANGO_REQUIRE_SECRET_KEY", default=False):
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production.")
    # Only for a developer's machine; production sets DJANGO_SECRET_KEY.
    SECRET_KEY = "insecure-development-key-change-me"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Django's admin on the project's site (core.admin_site: signing in behind the throttle).
    "core.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "core",
    "workcalendar",
    "history",
    "agencies",
    "proposals",
    "replies",
    "followup",
    "notifications",
    "members",
    "public",
    "search",
    "demo",
]

MIDDLEWARE = [
    # First: X-Forwarded-* only from the proxy named in DJANGO_TRUSTED_PROXIES (core.proxy).
    "core.proxy.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files straight from the web process, compressed and cached (no separate server).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.ChosenLanguageMiddleware",
    # Before anything reads a parameter: no control characters, and the site's page for a
    # body over the limits (core.errors).
    "core.middleware.CleanInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Proposer accounts reach only the proposer pages, the portal and their notifications.
    "members.middleware.ProposerFenceMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The working calendar is read once per request, however many due dates a page shows.
    "workcalendar.middleware.CalendarPerRequest",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
                "notifications.context_processors.unread",
            ],
        },
    },
]

# Forms render with Django's templates, but selects are written out in Python (core.forms_renderer).
FORM_RENDERER = "core.forms_renderer.FormRenderer"

WSGI_APPLICATION = "config.wsgi.application"

# Database: DATABASE_URL, e.g. postgres://user:pass@host:5432/name; default SQLite.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", default="60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # A transaction takes the write lock when it begins: two saves at once wait in turn
    # instead of one failing with "database is locked" when both read and then write.
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
else:
    # Pages run many short queries: compiling them (JIT) costs more than it saves, and
    # parallel workers take the cores other requests are waiting for.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", "-c jit=off -c max_parallel_workers_per_gather=0")
    # The choices of a form's select are read with .iterator(), which on PostgreSQL opens a
    # server-side cursor: three round trips for a list of forty agencies. Nothing here
    # streams result sets larger than memory, so the rows are fetched at once.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Every way of signing in goes through the failed-login throttle (core.login).
AUTHENTICATION_BACKENDS = ["core.login.ThrottledModelBackend"]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation: Simplified Chinese first, every string translatable.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))

# Media (signed letters, seals, print jobs) go through Django's storage API: the local
# MEDIA_ROOT by default, or an S3-compatible object store when S3_BUCKET is set (needs the
# "s3" extra: pip install '.[s3]'). Static files: hashed names and compressed copies made
# by collectstatic when DJANGO_STATIC_MANIFEST is on (the image turns it on).
S3_BUCKET = env("S3_BUCKET", default="")
if S3_BUCKET:
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env("S3_ENDPOINT_URL", default="") or None,
            "region_name": env("S3_REGION", default="") or None,
            "access_key": env("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env("S3_SECRET_ACCESS_KEY", default="") or None,
            "location": env("S3_PREFIX", default=""),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("DJANGO_STATIC_MANIFEST", default=False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}

# Cache: shared by every web process when CACHE_URL names Redis (failed-login counts
# must be shared); a per-process memory cache otherwise.
CACHE_URL = env("CACHE_URL", default="")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# HTTPS. DJANGO_HTTPS=true (production) sends every request to https, marks the session
# and CSRF cookies secure and sets HSTS. Behind a proxy that ends TLS, also set
# DJANGO_SECURE_PROXY_SSL_HEADER=true so Django trusts its X-Forwarded-Proto header.
HTTPS = env_bool("DJANGO_HTTPS", default=False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(env("DJANGO_HSTS_SECONDS", default="31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=False)
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^health/"]  # health checks come over plain HTTP from inside
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(env("DJANGO_SESSION_SECONDS", default=str(8 * 60 * 60)))  # a working day
# With a shared cache, sessions are written to the database and read from the cache, so
# a page does not query the session table each time. Not with a per-process cache: a
# session ended (signing out) in one process would live on in the others' copies.
if CACHE_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Celery: with no broker configured, tasks run inline in the calling process.
CELERY_TASK_ALWAYS_EAGER = not env("CELERY_BROKER_URL", default="")
# Inline tasks need no broker; the in-memory transport keeps Celery from looking for one.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="") or "memory://localhost/"
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# A task is acknowledged when it has finished, not when it starts: a worker that dies in the
# middle (killed, out of memory, the machine restarted) leaves its task in Redis, which
# hands it to a worker again after the visibility timeout. Every task can run twice safely.
# The timeout is longer than any task may run (CELERY_TASK_TIME_LIMIT), so a task still
# running is not handed out a second time.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(env("CELERY_VISIBILITY_TIMEOUT", default=str(2 * CELERY_TASK_TIME_LIMIT))),
}
# A prefix for every key Celery keeps in Redis, so that two installations (or a test) can
# share one Redis database.
if env("CELERY_KEY_PREFIX", default=""):
    CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = env("CELERY_KEY_PREFIX")
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"global_keyprefix": env("CELERY_KEY_PREFIX")}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False


def _reminder_time(value: str) -> tuple[int, int]:
    """REMINDER_TIME as (hour, minute): "HH:MM" on the 24-hour clock, Asia/Shanghai time."""
    hour, _colon, minute = value.strip().partition(":")
    if not (hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60):
        raise ImproperlyConfigured(f"REMINDER_TIME must be HH:MM, e.g. 08:00, not {value!r}")
    return int(hour), int(minute)


# The daily reminders (notifications.send_daily_reminders), sent by `celery -A config beat`.
REMINDER_HOUR, REMINDER_MINUTE = _reminder_time(env("REMINDER_TIME", default="08:00"))
CELERY_BEAT_SCHEDULE = {
    "daily-reminders": {
        "task": "notifications.send_daily_reminders",
        "schedule": crontab(hour=REMINDER_HOUR, minute=REMINDER_MINUTE),
    },
    # Print jobs whose worker died are resumed, or end as failed (replies.printing.watch).
    "print-jobs-watch": {"task": "replies.watch_print_jobs", "schedule": 60.0},
    # Print files older than PRINT_JOB_KEEP_DAYS are removed.
    "print-files-cleanup": {"task": "replies.delete_old_print_files",
                            "schedule": crontab(hour=3, minute=30)},
}

# E-mail: SMTP when EMAIL_HOST is set; otherwise mails are printed on the console.
EMAIL_HOST = env("EMAIL_HOST", default="")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(env("EMAIL_PORT", default="25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="noreply@localhost")
# The site's address as people reach it, for the links in e-mails.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Letter classes (分类标识). A deployment may add "D".
LETTER_CLASSES = env_list("LETTER_CLASSES", default=["A", "B", "C"])
LETTER_CLASS_LABELS = {
    "A": _("A类：所提问题已经解决或基本解决、建议已被采纳"),
    "B": _("B类：所提问题正在解决或列入计划逐步解决"),
    "C": _("C类：所提问题因条件限制或其他原因暂时不能解决、留作参考"),
    "D": _("D类"),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        # One JSON object per line on stdout, for the container's log collector.
        "json": {"()": "core.logging.JSONFormatter"},
    },
    "handlers": {"console": {
        "class": "logging.StreamHandler", "stream": "ext://sys.stdout",
        "formatter": "json" if env("DJANGO_LOG_FORMAT", default="plain") == "json" else "plain",
    }},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        # WeasyPrint reports each rendering step at INFO; only its warnings matter here.
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Reply letters (GB/T 9704-2012). Each font role lists families in order of preference:
# the commercial fonts of government machines first, then Fandol, then Noto CJK.
LETTER_FONTS = {
    "body": ["仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong", "FandolFang", "Noto Serif CJK SC"],
    "title": ["方正小标宋简体", "FZXiaoBiaoSong-B05S", "方正小标宋_GBK", "FandolSong:bold",
              "Noto Serif CJK SC:bold"],
    "heading": ["黑体", "SimHei", "FandolHei", "Noto Sans CJK SC"],
    "number": ["宋体", "SimSun", "FandolSong", "Noto Serif CJK SC"],
    "kai": ["楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi", "FandolKai", "LXGW WenKai",
            "Noto Serif CJK SC"],
}
# Where the class mark (（A类）) stands on page one: "left" or "right".
LETTER_CLASS_MARK_SIDE = env("LETTER_CLASS_MARK_SIDE", default="left")
# The red of header marks and rules (GB/T 9704: CMYK Y80 M80).
LETTER_RED = env("LETTER_RED", default="#E60012")
# Diameter of the seal as printed, in millimetres.
LETTER_SEAL_MM = float(env("LETTER_SEAL_MM", default="42"))

# Signed letters as trusted electronic documents (README: 数字签名、验证与归档).
# Key that encrypts the signing certificates' passwords kept in the database (any string;
# default: derived from DJANGO_SECRET_KEY, so changing that key means uploading again).
SIGNING_PASSWORD_KEY = env("SIGNING_PASSWORD_KEY", default="")
# A time-stamping server (RFC 3161): signatures become PAdES B-T instead of B-B.
SIGNING_TSA_URL = env("SIGNING_TSA_URL", default="")
SIGNING_TSA_TIMEOUT = int(env("SIGNING_TSA_TIMEOUT", default="10"))
# A PEM file of root certificates /verify/ trusts besides those uploaded with certificates.
SIGNING_TRUST_ROOTS = env("SIGNING_TRUST_ROOTS", default="")
# Print the verification code and its QR code below the text block of the last page.
LETTER_VERIFICATION_MARK = env_bool("LETTER_VERIFICATION_MARK", default=True)
# Archival PDF written for signed letters (WeasyPrint's variant name).
LETTER_PDF_VARIANT = env("LETTER_PDF_VARIANT", default="pdf/a-2b")
# Double-sided printing: the 版记 on an even page, a blank page added when needed.
LETTER_DOUBLE_SIDED = env_bool("LETTER_DOUBLE_SIDED", default=False)
# /verify/: code look-ups and uploaded PDFs per address and minute, and the largest upload.
VERIFY_PER_MINUTE = int(env("VERIFY_PER_MINUTE", default="20"))
VERIFY_UPLOAD_MAX_MB = int(env("VERIFY_UPLOAD_MAX_MB", default="20"))

# Failed-login throttling (core.login): failures per user name (from any address), and per
# address (for any name), within the window; while locked even the right password is refused.
LOGIN_FAILURE_LIMIT = int(env("LOGIN_FAILURE_LIMIT", default="5"))
LOGIN_ADDRESS_FAILURE_LIMIT = int(env("LOGIN_ADDRESS_FAILURE_LIMIT", default="30"))
LOGIN_LOCKOUT_SECONDS = int(env("LOGIN_LOCKOUT_SECONDS", default="900"))


def _proxies(items: list[str]) -> list[str]:
    """DJANGO_TRUSTED_PROXIES: addresses or networks (10.0.0.1, 172.30.0.0/24), checked now."""
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"DJANGO_TRUSTED_PROXIES: {item!r} is not an address or a network") from None
    return items


# The reverse proxy (core.proxy): only requests from these addresses may say, in
# X-Forwarded-For and X-Forwarded-Proto, who the client is and that it used https. Empty:
# no proxy, the peer's address is the client's.
TRUSTED_PROXIES = _proxies(env_list("DJANGO_TRUSTED_PROXIES", default=[]))

# Health checks (core.health): seconds to wait for the broker and for a worker's answer.
HEALTH_BROKER_TIMEOUT = float(env("HEALTH_BROKER_TIMEOUT", default="2"))
HEALTH_WORKER_TIMEOUT = float(env("HEALTH_WORKER_TIMEOUT", default="1.5"))
if CELERY_TASK_ALWAYS_EAGER:
    # Inline tasks would log every run in the web process; a worker keeps that log.
    LOGGING["loggers"]["celery.app.trace"] = {"level": "WARNING"}

# The largest interchange file import_proposals reads, in megabytes (checked before reading).
IMPORT_MAX_MB = int(env("IMPORT_MAX_MB", default="64"))
# The largest attachment (附件) of a proposal or a letter, in megabytes.
ATTACHMENT_MAX_MB = float(env("ATTACHMENT_MAX_MB", default="20"))

# Batch printing (replies.printing): a job of more letters than this is built in parts of
# at most this many letters, one task each, so that several workers share it.
PRINT_JOB_PART_SIZE = int(env("PRINT_JOB_PART_SIZE", default="20"))
# A running job that shows no progress for this many seconds has lost its worker: it is
# resumed (the parts not yet built are queued again) up to PRINT_JOB_RESUMES times, then
# ends as failed with the reason, to be run again from its page.
PRINT_JOB_STALL_SECONDS = int(env("PRINT_JOB_STALL_SECONDS", default="120"))
PRINT_JOB_RESUMES = int(env("PRINT_JOB_RESUMES", default="2"))
# Days a print job's file is kept after it is built; then it is removed.
PRINT_JOB_KEEP_DAYS = int(env("PRINT_JOB_KEEP_DAYS", default="7"))

# The dashboard keeps a session's statistics this many seconds in the cache (0: never).
STATS_CACHE_SECONDS = int(env("STATS_CACHE_SECONDS", default="300"))
# While one request computes them, others wait up to this many seconds for its result.
STATS_WAIT_SECONDS = int(env("STATS_WAIT_SECONDS", default="60"))
# Search results of those who may read everything are kept this many seconds (0: never),
# or until the index next changes (at once with a shared CACHE_URL).
SEARCH_CACHE_SECONDS = int(env("SEARCH_CACHE_SECONDS", default="60"))
# A letter's preview PDF (draft, or final without the seal) is kept this many seconds
# (0: never) while the letter prints the same; any change to its text makes a new one.
LETTER_PREVIEW_CACHE_SECONDS = int(env("LETTER_PREVIEW_CACHE_SECONDS", default="3600"))

# 短信 (SMS) to proposers: notifications, and sign-in codes where PROPOSER_SMS_LOGIN is on.
# SMS_BACKEND: console (written to the log; the default), aliyun (Alibaba Cloud SMS), none,
# or the dotted path of a class with the same ``send`` method (notifications.sms).
SMS_BACKEND = env("SMS_BACKEND", default="console")
SMS_DAILY_LIMIT = int(env("SMS_DAILY_LIMIT", default="10"))  # messages per mobile number and day
SMS_TIMEOUT = float(env("SMS_TIMEOUT", default="10"))
SMS_ALIYUN_ENDPOINT = env("SMS_ALIYUN_ENDPOINT", default="https://dysmsapi.aliyuncs.com/")
SMS_ALIYUN_ACCESS_KEY_ID = env("SMS_ALIYUN_ACCESS_KEY_ID")
SMS_ALIYUN_ACCESS_KEY_SECRET = env("SMS_ALIYUN_ACCESS_KEY_SECRET")
SMS_ALIYUN_SIGN_NAME = env("SMS_ALIYUN_SIGN_NAME")
SMS_ALIYUN_TEMPLATE = env("SMS_ALIYUN_TEMPLATE")  # a template with one variable, ${text}
SMS_ALIYUN_LOGIN_TEMPLATE = env("SMS_ALIYUN_LOGIN_TEMPLATE")  # one variable, ${code}
# Proposer accounts with a mobile number sign in with their password and then a code sent
# to the mobile (needs an SMS backend other than none).
PROPOSER_SMS_LOGIN = env_bool("PROPOSER_SMS_LOGIN", default=False)
LOGIN_SECOND_STEP = "members.sms_login.second_step"

# The public portal (/public/): requests a minute from one address, pages and PDFs.
PUBLIC_PAGES_PER_MINUTE = int(env("PUBLIC_PAGES_PER_MINUTE", default="120"))
PUBLIC_PDFS_PER_MINUTE = int(env("PUBLIC_PDFS_PER_MINUTE", default="20"))
# How long an anonymous visitor's page is served from the cache (0: not cached). A letter
# signed, voided or held back empties it at once (public.cache).
PUBLIC_CACHE_SECONDS = int(env("PUBLIC_CACHE_SECONDS", default="600"))
