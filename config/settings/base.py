"""Settings shared by every environment. Secrets come only from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from kombu import Exchange, Queue

from config import formats as _formats

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# --- Core -------------------------------------------------------------------------------
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h]

INSTALLED_APPS = [
    # Project apps first so their templates override the framework's.
    "newsroom",
    "paywall",
    "distribution",
    "search",
    "analytics",
    # Wagtail
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "wagtailmedia",
    "modelcluster",
    "taggit",
    "axes",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]

# The site's own reverse proxies (CIDRs, comma-separated), e.g. "127.0.0.1/32,10.0.0.0/8":
# behind them the reader's address comes from X-Forwarded-For (config/middleware.py).
# `none`: no proxy, readers connect to the app itself (production requires one or the other).
TRUSTED_PROXIES = [
    c
    for c in os.environ.get("TRUSTED_PROXIES", "").split(",")
    if c.strip() and c.strip().lower() != "none"
]

MIDDLEWARE = [
    # X-Request-ID, and the request on every log line (config/logging.py).
    "config.logging.RequestIdMiddleware",
    "config.middleware.TrustedProxyMiddleware",
    # /healthz, /readyz, /metrics and the request latency histogram (docs/operations.md).
    "config.ops.OpsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy on every response (django-csp).
    "config.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed for slow links (static files come pre-compressed from WhiteNoise,
    # above). Below WhiteNoise, above everything that writes the body; Django's gzip pads
    # against BREACH. Story HTML: 8.3 → 3.3 KiB (bench/reader_pages.py).
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.bad_input.RefuseNulMiddleware",  # NUL in a query string: 400, never a 500
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Axes last: it needs the authenticated request.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "newsroom.context_processors.outlet",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
# DATABASE_URL selects PostgreSQL (production, CI); the embedded default is SQLite.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "hoitu"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
# No task may be lost (docs/deploy.md, "Celery on RabbitMQ"). Queues are durable and
# declared here, messages persistent; a message is acknowledged only after its task ran,
# and given back when the process running it dies (kill -9, out of memory), so every task
# is idempotent: a redelivery does no harm. Media jobs go to their own queue, taken by a
# worker with prefetch 1 (deploy/systemd/hoitu-worker-media.service).
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = (
    Queue("celery", Exchange("celery", durable=True), routing_key="celery", durable=True),
    Queue("media", Exchange("media", durable=True), routing_key="media", durable=True),
)
CELERY_TASK_ROUTES = {"newsroom.media_tasks.process_media_asset": {"queue": "media"}}
CELERY_TASK_DEFAULT_DELIVERY_MODE = "persistent"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A publish while the broker restarts is tried again for a few seconds; after that the
# caller's own safety net takes over (the sweepers of distribution and media, beat's flush).
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 4,
    "interval_start": 0.2,
    "interval_step": 0.5,
    "interval_max": 1.5,
}
if CELERY_BROKER_URL.startswith(("amqp://", "amqps://", "pyamqp://")):
    # Publisher confirms: a publish returns once RabbitMQ has taken the message, so one
    # sent into a closing connection raises (and is retried) instead of vanishing.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"confirm_publish": True}
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Redis gives an unacknowledged message to another worker after this long: it must
    # exceed the longest task (a transcode, HOITU_MEDIA_TASK_TIME_LIMIT + its grace).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", 4 * 3600))
    }
CELERY_BEAT_SCHEDULE = {
    # Wagtail's scheduled publishing without cron: the same command, every minute.
    "publish-scheduled": {
        "task": "newsroom.tasks.publish_scheduled_pages",
        "schedule": crontab(minute="*"),
    },
}

# --- Auth and security ------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# --- Staff security (staffsecurity app; docs/staffsecurity.md) ---
# Login lockouts: 5 failures for one account from one address, or 20 from one address
# across accounts (password spraying; a newsroom behind one NAT address stays under it),
# lock that pair / that address for an hour after the last failure.
AXES_HANDLER = "staffsecurity.lockout.LoginLockoutHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
HOITU_LOGIN_FAILURE_LIMITS = [5, 20]  # one per AXES_LOCKOUT_PARAMETERS set
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "config.middleware.client_ip"  # behind TRUSTED_PROXIES
AXES_LOCKOUT_CALLABLE = "staffsecurity.lockout.lockout_response"
HOITU_LOGIN_HELP_CONTACT = os.environ.get(
    "HOITU_LOGIN_HELP_CONTACT", "bộ phận quản trị hệ thống của cơ quan"
)
# Staff sessions: 30 minutes without a request, 12 hours after login at most; staff
# accounts with no login for 45 days are disabled (beat, daily).
HOITU_STAFF_SESSION_IDLE = timedelta(minutes=30)
HOITU_STAFF_SESSION_MAX_AGE = timedelta(hours=12)
HOITU_STAFF_INACTIVE_DAYS = 45
INSTALLED_APPS += ["staffsecurity"]
MIDDLEWARE += ["staffsecurity.sessions.StaffSessionMiddleware"]
CELERY_BEAT_SCHEDULE["staffsecurity-disable-inactive"] = {
    "task": "staffsecurity.tasks.disable_inactive_staff",
    "schedule": crontab(minute=30, hour=2),
}
# --- end staff security ---
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# SAMEORIGIN, not DENY: Wagtail's live preview frames our own pages.
X_FRAME_OPTIONS = "SAMEORIGIN"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
# Content-Security-Policy (django-csp) of the reader site: no inline script or style,
# nothing from elsewhere but the embeds' players and the payment gateways' pages (a
# checkout form ends in a redirect to them). The Wagtail admin (/admin/) needs inline
# script and style: it gets HOITU_ADMIN_CSP instead (config/middleware.py, docs/security.md).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "media-src": ["'self'", "blob:"],  # hls.js plays through MediaSource (blob:)
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "frame-src": ["'self'"]  # Wagtail's live preview frames our own pages
        + os.environ.get(
            "HOITU_CSP_FRAME_SRC",
            "https://www.youtube.com https://www.youtube-nocookie.com https://player.vimeo.com "
            "https://www.facebook.com",
        ).split(),
        "form-action": ["'self'"]
        + os.environ.get(
            "HOITU_CSP_FORM_ACTION",
            "https://*.vnpay.vn https://*.vnpayment.vn https://*.momo.vn https://*.zalopay.vn",
        ).split(),
        "frame-ancestors": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
HOITU_ADMIN_CSP = {
    "DIRECTIVES": CONTENT_SECURITY_POLICY["DIRECTIVES"]
    | {
        "script-src": ["'self'", "'unsafe-inline'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", "https:"],  # embed previews' thumbnails
    }
}
HOITU_ADMIN_PATH = "/admin/"
# Browser features the site never uses, refused to the page and every frame in it.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
# /.well-known/security.txt (RFC 9116): where to report a vulnerability. Space-separated
# URIs; empty = mailto:security@<the site's host>. Expires rolls forward by this many days.
HOITU_SECURITY_CONTACT = os.environ.get("HOITU_SECURITY_CONTACT", "").split()
HOITU_SECURITY_POLICY_URL = os.environ.get("HOITU_SECURITY_POLICY_URL", "")
HOITU_SECURITY_TXT_DAYS = 180
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Internationalisation ---------------------------------------------------------------
# Vietnamese only, whatever the browser asks for: the admin and the reader site speak the
# newsroom's language. Wagtail's and Django's own `vi` catalogues cover only part of the
# admin; locale/vi/ completes them (compiled by `make install`), and LOCALE_PATHS comes
# first in Django's lookup, so its wording wins.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = [("vi", "Tiếng Việt")]
# Every newsroom works on Vietnam time: no per-user zone (the account page's list of 400
# zone names goes with it).
WAGTAIL_USER_TIME_ZONES = ["Asia/Ho_Chi_Minh"]
WAGTAILADMIN_USER_LOGIN_FORM = "config.forms.StaffLoginForm"

# --- Static and media -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static-collected"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media-dev"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Media on S3-compatible object storage (docs/media.md, docs/deploy.md): `s3` keeps
# originals, renditions, HLS and images in one bucket that every web and worker machine
# shares (Amazon S3, MinIO, Viettel/VNPT/FPT object storage). The default, `filesystem`,
# keeps them under MEDIA_ROOT (development, tests, a single machine).
HOITU_MEDIA_STORAGE = os.environ.get("HOITU_MEDIA_STORAGE", "filesystem").strip().lower()
# Prefixes readers fetch straight from the bucket (or its CDN): Wagtail's images. Every
# other file goes through the app's check and a presigned redirect.
HOITU_S3_PUBLIC_PREFIXES = ("images/", "original_images/")
# Lifetime of a presigned link to a checked file (seconds).
HOITU_S3_URL_MAX_AGE = int(os.environ.get("HOITU_S3_URL_MAX_AGE", "900"))
if HOITU_MEDIA_STORAGE == "s3":
    from config.media_storage import s3_origins, s3_storage

    STORAGES["default"] = s3_storage(os.environ)
    # Readers' browsers fetch images from the bucket (or CDN) and follow presigned
    # redirects for posters, video and HLS segments (hls.js fetches: connect-src).
    _public, _signed = s3_origins(os.environ)
    for _policy in (CONTENT_SECURITY_POLICY, HOITU_ADMIN_CSP):
        _directives = _policy["DIRECTIVES"]
        for _directive, _origins in (
            ("img-src", (_public, _signed)),
            ("media-src", (_signed,)),
            ("connect-src", (_signed,)),
        ):
            _directives[_directive] = list(dict.fromkeys([*_directives[_directive], *_origins]))
elif HOITU_MEDIA_STORAGE != "filesystem":
    raise ImproperlyConfigured(
        f"HOITU_MEDIA_STORAGE must be filesystem or s3, not {HOITU_MEDIA_STORAGE!r}"
    )

# --- Wagtail ----------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Hội Tụ"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://localhost:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILMEDIA = {
    "MEDIA_MODEL": "newsroom.MediaAsset",
    "MEDIA_FORM_BASE": "newsroom.media.forms.MediaForm",  # Vietnamese labels and messages
    "AUDIO_EXTENSIONS": ["aac", "m4a", "mp3", "ogg", "opus", "wav", "flac"],
    "VIDEO_EXTENSIONS": ["mp4", "m4v", "mov", "webm", "mkv", "ts"],
}
WAGTAIL_WORKFLOW_ENABLED = True
# The admin calls no outside service: no avatars from gravatar.com (a staff member's
# e-mail hash sent abroad, and a broken image offline), no release check or "what's new"
# banner from wagtail.org.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAIL_MODERATION_ENABLED = True
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 15 * 1024 * 1024
WAGTAIL_ALLOW_UNICODE_SLUGS = False
# Dates are day/month/year everywhere: config/formats/<lang>/formats.py read what Wagtail's
# pickers write and display Vietnamese dates (05/12/2026, 07:30 ngày 05/12/2026); the same
# input formats serve code that runs with no language active (tasks, commands).
FORMAT_MODULE_PATH = ["config.formats"]
DATE_INPUT_FORMATS = _formats.DATE_INPUT_FORMATS
TIME_INPUT_FORMATS = _formats.TIME_INPUT_FORMATS
DATETIME_INPUT_FORMATS = _formats.DATETIME_INPUT_FORMATS
# What the pickers show and write: each is the FIRST input format (a form writes a value
# back with it and reads it back unchanged; Wagtail's check wagtailadmin.E003).
WAGTAIL_DATE_FORMAT = _formats.DATE_INPUT_FORMATS[0]
WAGTAIL_DATETIME_FORMAT = _formats.DATETIME_INPUT_FORMATS[0]
WAGTAIL_TIME_FORMAT = _formats.TIME_INPUT_FORMATS[0]
WAGTAILEMBEDS_RESPONSIVE_HTML = True

# --- Hội Tụ -----------------------------------------------------------------------------
# Demo accounts with a known password: only where a developer loads them on purpose.
HOITU_ALLOW_DEMO = False
# The department that receives the yearly reports (Sở TT&TT until 2025; now the culture
# sector). A setting, not hard-coded text.
HOITU_REPORT_RECIPIENT = {
    "name": os.environ.get(
        "HOITU_REPORT_RECIPIENT_NAME", "Sở Văn hóa, Thể thao và Du lịch tỉnh Thanh Hóa"
    ),
    "address": os.environ.get("HOITU_REPORT_RECIPIENT_ADDRESS", "Thanh Hóa"),
}
HOITU_PROVINCE_CODE = 38  # Thanh Hóa in the national register (vietnam-provinces)

# --- Newsroom ---------------------------------------------------------------------------
# Media pipeline (ffmpeg): the largest audio/video upload accepted, in bytes (2 GiB holds
# a one-hour 1080p programme at broadcast bitrates).
HOITU_MEDIA_MAX_UPLOAD_SIZE = int(os.environ.get("HOITU_MEDIA_MAX_UPLOAD_SIZE", 2 * 1024**3))
HOITU_MEDIA_FFMPEG = os.environ.get("HOITU_MEDIA_FFMPEG", "ffmpeg")
HOITU_MEDIA_FFPROBE = os.environ.get("HOITU_MEDIA_FFPROBE", "ffprobe")
# x264 speed/size trade-off. "veryfast": 720p + 360p + HLS + poster of a 60 s 720p clip
# cost 26 CPU-seconds (bench/media_transcode.py, 2 cores): ~4.6x real time on idle cores.
HOITU_MEDIA_X264_PRESET = os.environ.get("HOITU_MEDIA_X264_PRESET", "veryfast")
HOITU_MEDIA_HLS_SEGMENT_SECONDS = 4
# Podcast target loudness (EBU R128 integrated, LUFS) and true peak (dBTP).
HOITU_MEDIA_LOUDNESS_TARGET = -16.0
HOITU_MEDIA_TRUE_PEAK = -1.5
# A stuck ffmpeg must not hold a worker forever (seconds).
HOITU_MEDIA_TASK_TIME_LIMIT = int(os.environ.get("HOITU_MEDIA_TASK_TIME_LIMIT", 3 * 3600))
# A job whose worker process dies this many times (the broker gives it back each time)
# fails the asset instead of holding the media queue for ever.
HOITU_MEDIA_MAX_CRASHES = 3
CELERY_BEAT_SCHEDULE["media-requeue"] = {
    # An upload made while the broker was away: its job is queued once the broker is back.
    "task": "newsroom.media_tasks.requeue_media_assets",
    "schedule": crontab(minute="*"),
}
# Cuts of paid stories play through signed links (newsroom/media/access.py), valid this
# many seconds (long enough to watch a programme; the gate is checked again each request).
HOITU_MEDIA_LINK_MAX_AGE = int(os.environ.get("HOITU_MEDIA_LINK_MAX_AGE", 3 * 3600))
# Empty: Django sends the file itself. Production: the nginx `internal` location that maps
# to MEDIA_ROOT (e.g. "/_protected-media/"): Django checks, nginx serves (docs/media.md).
HOITU_MEDIA_ACCEL_REDIRECT = os.environ.get("HOITU_MEDIA_ACCEL_REDIRECT", "")

# Backups (`manage.py backup`, docs/backup.md): where the encrypted archives go and
# how many of the newest are kept (14 nightly runs). The key is HOITU_BACKUP_KEY.
HOITU_BACKUP_DIR = Path(os.environ.get("HOITU_BACKUP_DIR", BASE_DIR / "backups"))
HOITU_BACKUP_KEEP = int(os.environ.get("HOITU_BACKUP_KEEP", "14"))

# --- Paywall ----------------------------------------------------------------------------
# Gateway credentials only from the environment. The defaults are the gateways' public
# sandbox test credentials (documented by each gateway), harmless outside their sandbox.
PAYWALL_GATEWAYS = {
    "vnpay": {
        "tmn_code": os.environ.get("VNPAY_TMN_CODE", "HOITUDEV"),
        "hash_secret": os.environ.get("VNPAY_HASH_SECRET", "hoitu-dev-vnpay-secret"),
        "pay_url": os.environ.get(
            "VNPAY_PAY_URL", "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
        ),
    },
    "momo": {
        "partner_code": os.environ.get("MOMO_PARTNER_CODE", "MOMO"),
        "access_key": os.environ.get("MOMO_ACCESS_KEY", "F8BBA842ECF85"),
        "secret_key": os.environ.get("MOMO_SECRET_KEY", "K951B6PE1waDMi640xX08PD3vg6EkVlz"),
        "endpoint": os.environ.get(
            "MOMO_ENDPOINT", "https://test-payment.momo.vn/v2/gateway/api/create"
        ),
    },
    "zalopay": {
        "app_id": os.environ.get("ZALOPAY_APP_ID", "2553"),
        "key1": os.environ.get("ZALOPAY_KEY1", "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL"),
        "key2": os.environ.get("ZALOPAY_KEY2", "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz"),
        "endpoint": os.environ.get("ZALOPAY_ENDPOINT", "https://sb-openapi.zalopay.vn/v2/create"),
    },
}
# Local imitation payment pages for `make run`; honoured only when DEBUG is on.
PAYWALL_IMITATION_GATEWAYS = False
PAYWALL_REMINDER_DAYS = 3
PAYWALL_TEASER_MAX_AGE = 60
INSTALLED_APPS += ["wagtail.api.v2", "rest_framework"]
# After auth (reads request.user) and sessions: sets the meter cookie and cache headers.
MIDDLEWARE += ["paywall.middleware.PaywallMiddleware"]
CELERY_BEAT_SCHEDULE |= {
    "paywall-renewal-reminders": {
        "task": "paywall.tasks.send_renewal_reminders",
        "schedule": crontab(minute=15, hour=8),
    },
    "paywall-expire-subscriptions": {
        "task": "paywall.tasks.expire_subscriptions",
        "schedule": crontab(minute="*/10"),
    },
    # Pending orders whose callback never came: asked about at the gateway.
    "paywall-reconcile-orders": {
        "task": "paywall.tasks.reconcile_pending_orders",
        "schedule": crontab(minute="*"),
    },
}
# Minutes after checkout when a still-pending order is queried at its gateway.
PAYWALL_RECONCILE_MINUTES = [5, 15, 60, 6 * 60, 24 * 60]
LOGIN_URL = "/tai-khoan/dang-nhap/"

# --- Distribution -----------------------------------------------------------------------
# Fernet key for platform credentials; derived from SECRET_KEY when empty.
DISTRIBUTION_CREDENTIALS_KEY = os.environ.get("DISTRIBUTION_CREDENTIALS_KEY", "")
# Backoff of a transient failure: base * 2**(attempt-1) seconds, capped; then failed.
DISTRIBUTION_RETRY_BASE_SECONDS = float(os.environ.get("DISTRIBUTION_RETRY_BASE_SECONDS", "30"))
DISTRIBUTION_RETRY_MAX_SECONDS = 3600
DISTRIBUTION_MAX_ATTEMPTS = int(os.environ.get("DISTRIBUTION_MAX_ATTEMPTS", "8"))
DISTRIBUTION_HTTP_TIMEOUT = float(os.environ.get("DISTRIBUTION_HTTP_TIMEOUT", "10"))
# A delivery claimed by a worker that then died (its row left `sending`) is sent again by
# the sweeper after this many seconds: longer than any send (a Zalo upload, verify polls).
DISTRIBUTION_SENDING_LEASE_SECONDS = int(os.environ.get("DISTRIBUTION_SENDING_LEASE_SECONDS", 600))
# A retry due further ahead than this is left to the sweeper (every minute) instead of a
# delayed Celery message that a worker would hold unacknowledged until then.
DISTRIBUTION_QUEUE_AHEAD_SECONDS = 300
# A delivery still pending this long after its creation lost its message (published while
# the broker was away): the sweeper queues it.
DISTRIBUTION_PENDING_GRACE_SECONDS = 60
# Zalo processes an article asynchronously: verify is polled this often, this many times.
DISTRIBUTION_ZALO_VERIFY_INTERVAL = float(os.environ.get("DISTRIBUTION_ZALO_VERIFY_INTERVAL", "1"))
DISTRIBUTION_ZALO_VERIFY_POLLS = 5
# A create that got no answer may still be carried out late; the retry looks for it on
# Zalo (instead of creating it again) only this many seconds after it was sent.
DISTRIBUTION_ZALO_SETTLE_SECONDS = float(os.environ.get("DISTRIBUTION_ZALO_SETTLE_SECONDS", "120"))
# WebSub hub pinged with the outlet's feeds on publish; empty = no ping.
DISTRIBUTION_WEBSUB_HUB = os.environ.get("DISTRIBUTION_WEBSUB_HUB", "")
# Zalo access tokens (25 h) are refreshed this long before they end, by beat; the
# administrators are warned this many days before a refresh token (3 months) ends.
DISTRIBUTION_ZALO_REFRESH_MARGIN_SECONDS = 3 * 3600
DISTRIBUTION_ZALO_REFRESH_WARN_DAYS = 14
CELERY_BEAT_SCHEDULE["distribution-zalo-tokens"] = {
    "task": "distribution.tasks.maintain_zalo_tokens",
    "schedule": crontab(minute="*/15"),
}
CELERY_BEAT_SCHEDULE["distribution-sweep"] = {
    # Picks up deliveries whose retry is due or whose worker died mid-send.
    "task": "distribution.tasks.sweep_deliveries",
    "schedule": crontab(minute="*"),
}

# --- Search -----------------------------------------------------------------------------
# "database" (embedded default: PostgreSQL full text, folded text on SQLite) or
# "elasticsearch" (Elasticsearch / OpenSearch through elasticsearch.dsl).
SEARCH_BACKEND = os.environ.get("SEARCH_BACKEND", "database")
SEARCH_ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")
# Readers and the app query the alias; a rebuild fills a new index and swaps the alias.
SEARCH_ELASTICSEARCH_ALIAS = os.environ.get("SEARCH_ELASTICSEARCH_ALIAS", "hoitu-stories")

# --- Analytics --------------------------------------------------------------------------
# Accepted beacon events wait in a Redis list and are written in batches by Celery; with
# no Redis (`make run`) each event is written as it arrives.
ANALYTICS_BUFFER = "redis" if REDIS_URL else "direct"
ANALYTICS_REDIS_URL = REDIS_URL
ANALYTICS_BATCH_SIZE = 500
# A batch taken by a writer that died (killed mid-flush) goes back on the queue after this
# many seconds; a batch write takes well under a second. Written twice, it counts once.
ANALYTICS_BATCH_STALE_SECONDS = int(os.environ.get("ANALYTICS_BATCH_STALE_SECONDS", 300))
ANALYTICS_MAX_BODY_BYTES = 1024
# Beacon posts per address and minute. A reader sends about 5 (view + heartbeats), but
# mobile carriers put many readers behind one address (CGNAT): the limit stops floods only.
ANALYTICS_RATE_LIMIT_PER_MINUTE = 1200
CELERY_BEAT_SCHEDULE |= {
    "analytics-flush": {"task": "analytics.tasks.events_flush", "schedule": 5.0},
    "analytics-rollups": {"task": "analytics.tasks.rollups_refresh", "schedule": 60.0},
    "analytics-salts": {"task": "analytics.tasks.salts_purge", "schedule": crontab(minute=5)},
}

# --- Two-factor authentication ----------------------------------------------------------
# TOTP (an authenticator app) and single-use recovery codes through django-otp, asked
# after the password (twofactor/). Staff must enrol while HOITU_STAFF_2FA is on; readers
# who opted in are asked too. OTPMiddleware marks verified sessions; TwoFactorMiddleware
# sends the others to the second step.
INSTALLED_APPS.insert(INSTALLED_APPS.index("analytics") + 1, "twofactor")
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
_after_auth = MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1
MIDDLEWARE[_after_auth:_after_auth] = [
    "django_otp.middleware.OTPMiddleware",
    "twofactor.middleware.TwoFactorMiddleware",
]
HOITU_STAFF_2FA = True
OTP_TOTP_ISSUER = "Hội Tụ"

# --- Operations (docs/operations.md) ---------------------------------------------------
# /metrics and the error text of /readyz: only from these networks or with the token.
HOITU_METRICS_ALLOWED_IPS = [
    c
    for c in os.environ.get("HOITU_METRICS_ALLOWED_IPS", "127.0.0.1/32,::1/128").split(",")
    if c.strip()
]
HOITU_METRICS_TOKEN = os.environ.get("HOITU_METRICS_TOKEN", "")
# Celery queues whose depth /metrics reports; empty = the default queue, declared and
# routed queues, and "media".
HOITU_METRICS_CELERY_QUEUES = [
    q for q in os.environ.get("HOITU_METRICS_CELERY_QUEUES", "").split(",") if q.strip()
]
# Seconds /readyz waits for its checks (run in parallel) before naming one as failed.
HOITU_READINESS_TIMEOUT = float(os.environ.get("HOITU_READINESS_TIMEOUT", "1.5"))

# --- Logging ----------------------------------------------------------------------------
# HOITU_LOG_FORMAT: `text` (here, `make run`) or `json`, one object per line (production's
# default); every line carries its request or task id (config/logging.py).
HOITU_LOG_FORMAT = os.environ.get("HOITU_LOG_FORMAT", "text")
if HOITU_LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"HOITU_LOG_FORMAT must be text or json, not {HOITU_LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "config.logging.ContextFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"},
        "json": {"()": "config.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": HOITU_LOG_FORMAT,
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
    },
}

# --- Audit of staff actions (audit/) and upload checks (newsroom/uploads.py) ---------------
# Uploads are checked by their content (magic bytes), active content refused, photos
# re-encoded without location metadata; images keep WAGTAILIMAGES_MAX_UPLOAD_SIZE and
# media HOITU_MEDIA_MAX_UPLOAD_SIZE as their limits.
WAGTAILIMAGES_IMAGE_FORM_BASE = "newsroom.uploads.ImageForm"
WAGTAILDOCS_DOCUMENT_FORM_BASE = "newsroom.uploads.DocumentForm"
HOITU_DOCUMENT_MAX_UPLOAD_SIZE = int(
    os.environ.get("HOITU_DOCUMENT_MAX_UPLOAD_SIZE", 50 * 1024 * 1024)
)
INSTALLED_APPS += ["audit"]
# After authentication (reads request.user): who acts, from where, for the audit hooks.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "audit.middleware.AuditContextMiddleware",
)
# Entries are kept this many days (at least 365: the database refuses younger deletes).
AUDIT_RETENTION_DAYS = int(os.environ.get("AUDIT_RETENTION_DAYS", "400"))
CELERY_BEAT_SCHEDULE["audit-purge"] = {
    "task": "audit.tasks.purge_expired_entries",
    "schedule": crontab(minute=30, hour=3),
}
# One JSON object per line for each audit event (shipped to the log collector as is).
LOGGING["handlers"]["audit_json"] = {
    "class": "logging.StreamHandler",
    "formatter": "json",
    "filters": ["context"],
}
LOGGING["loggers"]["hoitu.audit"] = {
    "handlers": ["audit_json"],
    "level": "INFO",
    "propagate": False,
}

# --- Page cache (config/pagecache.py, deploy/nginx/hoitu.conf, docs/deploy.md) ----------
# Anonymous reader pages are public for this many seconds (browsers and nginx's cache):
# a published change reaches readers within it, without a purge. nginx may then answer
# with the stale copy while it fetches the new one (stale-while-revalidate).
HOITU_PAGE_CACHE_SECONDS = int(os.environ.get("HOITU_PAGE_CACHE_SECONDS", "5"))
HOITU_PAGE_CACHE_STALE_SECONDS = int(os.environ.get("HOITU_PAGE_CACHE_STALE_SECONDS", "60"))
# Refresh on publish (newsroom/page_refresh.py): the nginx base URLs to ask again for the
# pages showing a published, corrected or taken-down story (comma-separated, e.g.
# "https://127.0.0.1"; empty: off), the secret the nginx site expects in the
# X-Hoitu-Cache-Refresh header (the same value as in deploy/nginx/hoitu.conf), and whether
# to check nginx's certificate ("0" on loopback with the site's public certificate, or a
# CA file).
HOITU_PAGE_CACHE_REFRESH_URLS = [
    url.strip().rstrip("/")
    for url in os.environ.get("HOITU_PAGE_CACHE_REFRESH_URLS", "").split(",")
    if url.strip()
]
HOITU_PAGE_CACHE_REFRESH_KEY = os.environ.get("HOITU_PAGE_CACHE_REFRESH_KEY", "")
_refresh_verify = os.environ.get("HOITU_PAGE_CACHE_REFRESH_VERIFY", "1")
HOITU_PAGE_CACHE_REFRESH_VERIFY = {"1": True, "0": False}.get(_refresh_verify, _refresh_verify)
HOITU_PAGE_CACHE_REFRESH_TIMEOUT = float(os.environ.get("HOITU_PAGE_CACHE_REFRESH_TIMEOUT", "10"))
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
    "config.pagecache.ReaderPageCacheMiddleware",
)
# Reader pages' routing (site, page, view restrictions) from the cache, retired with the
# fragments on any publish (newsroom/routing.py, docs/architecture.md "Render cost").
MIDDLEWARE += ["newsroom.routing.ReaderRouteMiddleware"]
# What each process keeps of the fragments and routes it read for the current generation
# (newsroom/fragments.py), in characters: a Redis round trip saved per fragment.
HOITU_FRAGMENT_PROCESS_CHARS = int(os.environ.get("HOITU_FRAGMENT_PROCESS_CHARS", "4000000"))

# --- royalties (nhuận bút, docs/royalties.md) ---
INSTALLED_APPS += ["royalties"]
# --- end royalties ---
# --- Newsletters (newsletters/, docs/newsletters.md) -------------------------------------
# Daily digest and section lists by e-mail: double opt-in, one-click unsubscribe
# (RFC 8058), sent by Celery over SMTP (EMAIL_* settings) in batches.
INSTALLED_APPS.insert(INSTALLED_APPS.index("analytics") + 1, "newsletters")
NEWSLETTER_FROM_EMAIL = os.environ.get("NEWSLETTER_FROM_EMAIL", "")  # "" = DEFAULT_FROM_EMAIL
NEWSLETTER_BATCH_SIZE = int(os.environ.get("NEWSLETTER_BATCH_SIZE", "200"))  # copies per task
NEWSLETTER_MAX_STORIES = 12
# Today's edition is made this long before its sending time, for the editors to look at.
NEWSLETTER_BUILD_AHEAD = timedelta(hours=2)
# A refused or dropped SMTP send is retried after base * 2**(attempt-1) seconds (capped),
# then the copy is marked failed.
NEWSLETTER_RETRY_BASE_SECONDS = float(os.environ.get("NEWSLETTER_RETRY_BASE_SECONDS", "60"))
NEWSLETTER_RETRY_MAX_SECONDS = 3600
NEWSLETTER_MAX_ATTEMPTS = 5
# A copy claimed by a worker that never reported back is given up after this long (never
# resent: no reader gets an edition twice).
NEWSLETTER_STALE_MINUTES = 15
NEWSLETTER_SIGNUPS_PER_HOUR = int(os.environ.get("NEWSLETTER_SIGNUPS_PER_HOUR", "10"))
CELERY_BEAT_SCHEDULE["newsletters-sweep"] = {
    "task": "newsletters.tasks.sweep",
    "schedule": crontab(minute="*"),
}

# --- offline (installable app and offline reading, offline/, docs/offline.md) ---
INSTALLED_APPS += ["offline"]
# Clear-Site-Data at log-out; what the service worker may keep of each page.
MIDDLEWARE += ["offline.middleware.OfflineHeadersMiddleware"]
# Static paths the service worker loads with importScripts() (web push handlers…).
HOITU_SERVICE_WORKER_IMPORTS: list[str] = []
HOITU_OFFLINE_THEME_COLOUR = "#a3161b"  # --accent of static/css/site.css
HOITU_OFFLINE_MANIFEST_MAX_AGE = 86400
# Stories kept for the home page (it shows 7 + 4 per section) and for an opened section.
HOITU_OFFLINE_HOME_STORIES = int(os.environ.get("HOITU_OFFLINE_HOME_STORIES", "10"))
HOITU_OFFLINE_SECTION_STORIES = int(os.environ.get("HOITU_OFFLINE_SECTION_STORIES", "6"))
# Pages and images a device keeps beyond the saved stories and list pages (oldest go).
HOITU_OFFLINE_MAX_PAGES = 60
HOITU_OFFLINE_MAX_IMAGES = 120
# A page's network answer waited for before the kept copy is shown (patchy links).
HOITU_OFFLINE_NETWORK_TIMEOUT_MS = 4000
# Back online, everything kept is fetched again at most this often (links that drop often).
HOITU_OFFLINE_REFRESH_MINUTES = 10
# Never answered from the worker's caches (personal, payment, staff, live counters).
HOITU_OFFLINE_NEVER_CACHE = (
    "/admin/",
    "/tai-khoan/",
    "/thanh-toan/",
    "/goi-cuoc/",
    "/tim-kiem/",
    "/api/",
    "/a/",
    "/ban-tin/",
    "/documents/",
    "/dev/",
    "/ngoai-tuyen/danh-sach/",
    "/tin-nong/",
)
# Per address: a carrier's NAT puts many readers behind one; a refusal only means fewer
# stories kept in advance.
HOITU_OFFLINE_LISTS_PER_MINUTE = int(os.environ.get("HOITU_OFFLINE_LISTS_PER_MINUTE", "120"))
# --- end offline ---

# --- aiservices ---
# Outside AI providers (FPT.AI, Viettel AI) per agency, their encrypted keys, the agency's
# policy on paid text and the count of every call (docs/ai.md).
INSTALLED_APPS += ["aiservices"]
# The hosts (or parent domains) the server may call for an AI provider: an account's
# "địa chỉ API" and every address a provider answers with (FPT.AI's file link, redirects)
# must be https on one of them, so a stored address cannot make the server post text and
# keys into its own network. A provider that moves adds its domain here.
AI_ALLOWED_HOSTS = [
    h.strip().lower()
    for h in os.environ.get("AI_ALLOWED_HOSTS", "fpt.ai,viettelgroup.ai,viettelai.vn").split(",")
    if h.strip()
]
# http:// on 127.0.0.1/localhost (the tests' imitation providers); never in production.
AI_ALLOW_LOOPBACK_HTTP = False
# --- end aiservices ---

# --- push (breaking-news web push, push/, docs/push.md) ---
# Readers subscribe per outlet (Push API); an editor-in-chief sends an alert for a
# published story; Celery sends it through each reader's push service with VAPID
# (RFC 8292) and aes128gcm (RFC 8291), by pywebpush.
INSTALLED_APPS.insert(INSTALLED_APPS.index("analytics") + 1, "push")
HOITU_PUSH_ENABLED = env_bool("HOITU_PUSH_ENABLED", True)
# The VAPID key pair: unpadded base64url of the raw P-256 private key (32 bytes) and of
# its public key (65 bytes, uncompressed). `manage.py push_vapid_keys` makes a pair. These
# defaults are for development and tests only: production refuses them
# (config/secrets_check.py).
HOITU_VAPID_PRIVATE_KEY = os.environ.get(
    "HOITU_VAPID_PRIVATE_KEY", "-ndHIVs4quuuEz-2U7S6ZhA6TO-czKNz7b9SRns9aZg"
)
HOITU_VAPID_PUBLIC_KEY = os.environ.get(
    "HOITU_VAPID_PUBLIC_KEY",
    "BMAIBOHDZpoIYN1AwYX1HbO8FPPqXU6B59vDGf3-GgIkiSJa4fOAscP8nNApOnF_3dEFCkt8ecwMo4W9cTwuyaQ",
)
# Who the push services may contact about our sending (RFC 8292 `sub`).
HOITU_VAPID_SUBJECT = os.environ.get("HOITU_VAPID_SUBJECT", "mailto:toasoan@baothanhhoa.vn")
# The push services a subscription may point at (a host or a parent domain): the server
# posts to the endpoint, so any other host would make the site a relay. Chrome/Edge
# (FCM), Firefox (Mozilla autopush), Edge on Windows (WNS), Safari (Apple).
PUSH_ALLOWED_HOSTS = [
    h.strip().lower()
    for h in os.environ.get(
        "PUSH_ALLOWED_HOSTS",
        "fcm.googleapis.com,push.services.mozilla.com,notify.windows.com,push.apple.com",
    ).split(",")
    if h.strip()
]
# http:// endpoints on 127.0.0.1/localhost (the tests' imitation push service); never in
# production, where every endpoint must be https.
PUSH_ALLOW_LOOPBACK_HTTP = False
PUSH_BATCH_SIZE = int(os.environ.get("PUSH_BATCH_SIZE", "500"))  # copies per task
# Requests in flight at once per task (threads; the database stays on the task's own).
PUSH_CONCURRENCY = int(os.environ.get("PUSH_CONCURRENCY", "16"))
PUSH_TTL_SECONDS = 6 * 3600  # a push service keeps an undelivered alert this long
PUSH_TIMEOUT_SECONDS = 10
# 429, 5xx and timeouts are retried after base * 2**(attempt-1) seconds (capped, or the
# service's Retry-After), then the copy is marked failed.
PUSH_RETRY_BASE_SECONDS = float(os.environ.get("PUSH_RETRY_BASE_SECONDS", "30"))
PUSH_RETRY_MAX_SECONDS = 1800
PUSH_MAX_ATTEMPTS = 5
PUSH_STALE_MINUTES = 15
# Per address and hour. Mobile carriers put many readers behind one address (CGNAT): the
# subscription limit stops a flood of rows, not a busy storm day; receipts carry signed
# tokens each counted once, so theirs is only a brake.
PUSH_SUBSCRIBES_PER_HOUR = int(os.environ.get("PUSH_SUBSCRIBES_PER_HOUR", "60"))
PUSH_RECEIPTS_PER_HOUR = int(os.environ.get("PUSH_RECEIPTS_PER_HOUR", "5000"))
# The service worker the reader's button registers (the offline app's /sw.js imports the
# files of HOITU_SERVICE_WORKER_IMPORTS).
PUSH_SERVICE_WORKER_URL = "/sw.js"
HOITU_SERVICE_WORKER_IMPORTS = [
    *globals().get("HOITU_SERVICE_WORKER_IMPORTS", []),
    "push/sw-push.js",
]
CELERY_BEAT_SCHEDULE["push-sweep"] = {
    "task": "push.tasks.sweep",
    "schedule": crontab(minute="*"),
}
# --- end push ---

# --- assist ---
# "Gợi ý AI" in the story editor (docs/assist.md): tags, section, communes, related stories,
# standfirst, headline and spelling checks, computed here (pyvi, scikit-learn), no provider.
INSTALLED_APPS.insert(INSTALLED_APPS.index("search") + 1, "assist")
ASSIST_MAX_INPUT_BYTES = 200_000  # a long-form story is ~60 KB of text; more is refused
ASSIST_CORPUS_STORIES = 3000  # newest indexed stories of an outlet the models learn from
# When an outlet's index changes, its old model serves while a thread learns the new one
# (a rebuild over 3,000 stories costs seconds: bench/assist_suggestions.py --archive).
ASSIST_CORPUS_REFRESH_IN_BACKGROUND = True
# --- end assist ---

# --- transcripts ---
# Transcripts of radio and TV cuts through the agency's speech-to-text accounts
# (docs/transcripts.md): 16 kHz mono WAV chunks, at most this many seconds per provider
# (FPT.AI gives no timings inside a chunk: short chunks keep the segments short).
INSTALLED_APPS += ["transcripts"]
TRANSCRIPTS_SAMPLE_RATE = 16000
TRANSCRIPTS_CHUNK_SECONDS = {"fpt": 15, "viettel": 60}
# A transcript still pending this long after it was asked for (its retries take about
# 30 minutes) has lost its job (the broker was away): beat queues it again.
HOITU_TRANSCRIPT_REQUEUE_AFTER = 45 * 60
CELERY_BEAT_SCHEDULE["transcripts-requeue"] = {
    "task": "transcripts.tasks.requeue_transcripts",
    "schedule": crontab(minute="*/5"),
}
# --- end transcripts ---

# --- speech ---
# "Nghe bài viết": the audio version of a published text story (docs/speech.md), made by
# Celery after publish through the agency's TTS accounts (aiservices), then espeak-ng.
INSTALLED_APPS += ["speech"]
# Off: publishing makes no audio (the admin's "Làm lại" still does).
HOITU_SPEECH_AUTO = os.environ.get("HOITU_SPEECH_AUTO", "1") == "1"
# `load_initial_data` reads a few demo stories aloud (never all 63: see speech/demo.py).
HOITU_SPEECH_DEMO = HOITU_SPEECH_AUTO
# Off: no offline fallback (only the agency's providers).
HOITU_SPEECH_OFFLINE = os.environ.get("HOITU_SPEECH_OFFLINE", "1") == "1"
HOITU_SPEECH_ESPEAK = os.environ.get("HOITU_SPEECH_ESPEAK", "espeak-ng")
HOITU_SPEECH_ESPEAK_VOICE = "vi"
HOITU_SPEECH_ESPEAK_SPEED = 150  # words per minute (espeak's default 175 is hurried in Vietnamese)
HOITU_SPEECH_ESPEAK_TIMEOUT = 300
HOITU_SPEECH_HTTP_TIMEOUT = float(os.environ.get("HOITU_SPEECH_HTTP_TIMEOUT", "30"))
# FPT.AI answers with a link to a file made within 5 s to 2 min: fetched every few seconds.
HOITU_SPEECH_FPT_POLL_SECONDS = 3.0
HOITU_SPEECH_FPT_MAX_WAIT = 180.0
HOITU_SPEECH_TASK_TIME_LIMIT = 1800
CELERY_TASK_ROUTES["speech.tasks.make_story_audio"] = {"queue": "media"}
# Audio still pending this long after it was asked for (its retries take about 31
# minutes) has lost its job (the broker was away): beat queues it again.
HOITU_SPEECH_REQUEUE_AFTER = 45 * 60
CELERY_BEAT_SCHEDULE["speech-requeue"] = {
    "task": "speech.tasks.requeue_story_audio",
    "schedule": crontab(minute="*/5"),
}
# --- end speech ---

# --- outbox (transactional outbox for Celery tasks, outbox/, docs/operations.md) ---
# A task enqueued through outbox.services.enqueue is a row written with the change that
# asks for it, published after commit and again by beat while no worker has run it: an
# outage of the broker delays a reader's mail or a search update, never loses it.
INSTALLED_APPS.insert(INSTALLED_APPS.index("audit") + 1, "outbox")
OUTBOX_PUBLISH_AFTER_SECONDS = 30  # an unpublished row younger than this: its commit hook
OUTBOX_REPUBLISH_AFTER_SECONDS = 15 * 60  # published but not run: lost, or failed
OUTBOX_MAX_FAILURES = 10  # a task failing this often is given up (logged as an error)
OUTBOX_SWEEP_BATCH = 500
OUTBOX_KEEP_DAYS = 7  # done rows (task name and times only) kept this long
CELERY_BEAT_SCHEDULE["outbox-sweep"] = {
    "task": "outbox.tasks.sweep",
    "schedule": crontab(minute="*"),
}
# --- end outbox ---
