"""
Newsroom settings, read from the environment and failing closed.

Every setting that differs between a laptop and production comes from an
environment variable; `.env.example` lists them. Outside DEBUG a missing
SECRET_KEY is an error, not a silent fallback.
"""

import os
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE as CSP_NONCE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from django_prose_editor.config import html_tags
from js_asset import static_lazy

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=()):
    value = os.environ.get(name, "")
    items = [item.strip() for item in value.split(",") if item.strip()]
    return items or list(default)


# https://docs.djangoproject.com/en/5.2/ref/settings/#debug
DEBUG = env_bool("DEBUG", False)

# https://docs.djangoproject.com/en/5.2/ref/settings/#secret-key
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see .env.example).")
    # Only for a local DEBUG run: sessions do not survive a restart.
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    # After django.contrib.auth: replaces its user admin (accounts/admin.py).
    "accounts",
    # Two-factor login (accounts/twofactor.py) and login throttling (README "Security").
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "taggit",
    "reversion",
    "django_prose_editor",
    "corsheaders",
    "csp",
    # In INSTALLED_APPS so the API docs page uses ninja's own static files, not a CDN.
    "ninja",
    "articles",
    "images",
    "jobs",
    "wire",
    "spun",
    "api",
    "notifications",
    "previews",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every answer, cached pages included (newsroom/security.py).
    "newsroom.security.SiteCSPMiddleware",
    # CORS headers for /api/ only (CORS_URLS_REGEX), on every answer there,
    # 304s and errors included; preflight requests are answered here.
    "corsheaders.middleware.CorsMiddleware",
    # https://whitenoise.readthedocs.io/en/stable/django.html
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # ETag on every response and 304 answers for If-None-Match / If-Modified-Since,
    # cached pages included.
    "django.middleware.http.ConditionalGetMiddleware",
    # Whole public pages for anonymous readers (articles/cache.py). Before the
    # session, locale and common middleware: a hit needs none of them (the
    # language for the key is read from the request the way LocaleMiddleware
    # reads it, and the stored page carries its Vary and Content-Language).
    "articles.cache.AnonymousPageCacheMiddleware",
    # A fast 503 while the database is unreachable (newsroom/resilience.py);
    # after the page cache, which serves cached pages without the database.
    "newsroom.resilience.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Whether this session gave its second factor; the desk insists when it must.
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: answers a locked-out login with its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"

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
                "articles.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "newsroom.wsgi.application"

# https://docs.djangoproject.com/en/5.2/ref/databases/
# DATABASE_URL selects PostgreSQL (psycopg 3); SQLite in the project folder otherwise.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=0,
        # Check a connection before use: after a PostgreSQL restart the pool
        # replaces dead connections instead of handing them out.
        conn_health_checks=True,
    )
}
# While the database is unreachable requests get a 503 at once, and one
# request tries it again every this many seconds (README, "Resilience").
DATABASE_RETRY_SECONDS = int(os.environ.get("DATABASE_RETRY_SECONDS", "5"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that does not answer costs seconds, not minutes (libpq's minimum is 2).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "2"))
    )
    # Django's own psycopg connection pool (needs psycopg[pool]); persistent
    # connections (CONN_MAX_AGE) and the pool are mutually exclusive.
    if env_bool("DATABASE_POOL", True):
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": int(os.environ.get("DATABASE_POOL_MIN_SIZE", "2")),
            "max_size": int(os.environ.get("DATABASE_POOL_MAX_SIZE", "10")),
            # Seconds a request waits for a connection: with the database
            # down, the first request answers 503 after this long.
            "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", "1")),
        }
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ.get(
        "DATABASE_TEST_NAME", "test_newsroom"
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# https://docs.djangoproject.com/en/5.2/topics/cache/
# Local memory by default; REDIS_URL shares one cache between app servers.
# The cache is an accelerator, never a dependency: with Redis unreachable the
# site runs uncached (newsroom.resilience.ResilientRedisCache), each request
# paying at most the connect timeout, and only once every CACHE_RETRY_SECONDS.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_RETRY_SECONDS = int(os.environ.get("CACHE_RETRY_SECONDS", "10"))
# How often a process checks the cache's content epoch against the database
# (after an outage, writes the cache missed must not leave stale pages).
CACHE_GENERATION_CHECK_SECONDS = float(os.environ.get("CACHE_GENERATION_CHECK_SECONDS", "1"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "newsroom.resilience.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "newsroom"),
            "OPTIONS": {
                "socket_connect_timeout": int(os.environ.get("CACHE_CONNECT_TIMEOUT_MS", "200"))
                / 1000,
                "socket_timeout": int(os.environ.get("CACHE_SOCKET_TIMEOUT_MS", "500")) / 1000,
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "newsroom",
        }
    }

# Background jobs (jobs/, README "Jobs"): Celery, with Redis or RabbitMQ as the
# broker. Without a broker, DEBUG runs jobs in the web process (eager); in
# production they wait in the database until a broker is configured.
JOBS_BROKER_URL = os.environ.get("JOBS_BROKER_URL", "")
JOBS_EAGER = env_bool("JOBS_EAGER", DEBUG and not JOBS_BROKER_URL)
# A job whose worker died runs again this many seconds after it was taken;
# keep it above the longest job (time limits are 300 s).
JOBS_VISIBILITY_TIMEOUT = int(os.environ.get("JOBS_VISIBILITY_TIMEOUT", "3600"))
JOBS_RETRY_BACKOFF = int(os.environ.get("JOBS_RETRY_BACKOFF", "2"))  # seconds, doubled per attempt
JOBS_RETRY_BACKOFF_MAX = int(os.environ.get("JOBS_RETRY_BACKOFF_MAX", "600"))
JOBS_DISPATCH_SECONDS = int(os.environ.get("JOBS_DISPATCH_SECONDS", "15"))
# After a failed send, this process leaves the broker alone for this long.
JOBS_BROKER_RETRY_SECONDS = int(os.environ.get("JOBS_BROKER_RETRY_SECONDS", "30"))
CELERY_BROKER_URL = JOBS_BROKER_URL or None
CELERY_TASK_ALWAYS_EAGER = JOBS_EAGER
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": JOBS_VISIBILITY_TIMEOUT,
    "socket_connect_timeout": 2,
    "socket_timeout": 10,
    # How often a worker looks for messages whose worker died (Redis).
    "unacked_restore_interval": int(os.environ.get("JOBS_RESTORE_INTERVAL", "60")),
    "unacked_restore_throttle": 1,
}
CELERY_TIMEZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
# One scheduler process (celery -A jobs beat) sends these; the work they
# start is claimed in the database, so even two schedulers poll a feed once.
CELERY_BEAT_SCHEDULE = {
    "jobs-dispatch": {"task": "jobs.dispatch", "schedule": JOBS_DISPATCH_SECONDS},
    "wire-tick": {"task": "wire.tick", "schedule": int(os.environ.get("WIRE_TICK_SECONDS", "30"))},
}

# The desk's article form: the title length recommended (字数, characters not
# counting spaces; about 30 for a Chinese headline), shown under the title and
# flagged beyond it (static/articles/desk-form.js).
DESK_TITLE_MAX_CHARS = int(os.environ.get("DESK_TITLE_MAX_CHARS", "30"))
# A bulk action on the article list takes at most this many articles: one
# request runs them one by one and must finish well inside GUNICORN_TIMEOUT
# (publishing took 0.1-0.4 s an article on a loaded 2-core machine with jobs
# run in-process: bench/bulk_actions.py).
DESK_BULK_MAX_ARTICLES = int(os.environ.get("DESK_BULK_MAX_ARTICLES", "50"))

# The wire desk and distribution (wire/, README "The wire desk").
# The site's public address, for links made outside a request (pushes).
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")

# E-mail (the desk's notifications, sent by a job): SMTP set by the
# environment in production; printed to the console under `make run` (DEBUG
# without EMAIL_HOST). Tests use Django's locmem backend.
# https://docs.djangoproject.com/en/5.2/topics/email/
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG and not EMAIL_HOST
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "newsroom@localhost")
# Items whose text is this similar to an article already here are near-duplicates:
# "link" imports them into the same story cluster, "skip" leaves them out.
WIRE_DUPLICATES = os.environ.get("WIRE_DUPLICATES", "link")
# Push on publish: WebSub hubs, IndexNow, Baidu link submission. Empty: off.
WEBSUB_HUB_URLS = env_list("WEBSUB_HUB_URLS")
INDEXNOW_KEY = os.environ.get("INDEXNOW_KEY", "")
INDEXNOW_ENDPOINT = os.environ.get("INDEXNOW_ENDPOINT", "https://api.indexnow.org/indexnow")
BAIDU_PUSH_TOKEN = os.environ.get("BAIDU_PUSH_TOKEN", "")
BAIDU_PUSH_ENDPOINT = os.environ.get("BAIDU_PUSH_ENDPOINT", "http://data.zz.baidu.com")
PUSH_TIMEOUT = int(os.environ.get("PUSH_TIMEOUT", "10"))

# Staff logins (README "Security"). django-axes counts failures per account and
# address (failures first: a locked-out login is refused before its password is
# checked) and locks that pair out for a cooling-off period.
# https://django-axes.readthedocs.io/en/latest/4_configuration.html
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The log names the account and address locked out (passwords are never logged).
AXES_SENSITIVE_PARAMETERS = []
AXES_LOCKOUT_CALLABLE = "accounts.throttle.lockout_response"
# Behind proxies, the address API_TRUSTED_PROXIES points at (as the API does).
AXES_CLIENT_IP_CALLABLE = "accounts.throttle.client_address"
# After login, a next= that is refused (another site) leads staff to the desk.
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"
# Two-factor login (django-otp): required for these groups and for superusers,
# optional for other staff (README "Security", accounts/twofactor.py).
TWO_FACTOR_REQUIRED_GROUPS = env_list("TWO_FACTOR_REQUIRED_GROUPS", ["总编 Chief editor"])
TWO_FACTOR_REQUIRED_FOR_SUPERUSERS = env_bool("TWO_FACTOR_REQUIRED_FOR_SUPERUSERS", True)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Newsroom")
# Argon2id first; older hashes are rehashed with it at the next login.
# https://docs.djangoproject.com/en/5.2/topics/auth/passwords/
PASSWORD_HASHERS = [
    "accounts.hashers.NewsroomArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# https://docs.djangoproject.com/en/5.2/topics/i18n/
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", _("Simplified Chinese")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# https://whitenoise.readthedocs.io/en/stable/django.html
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Image files (images/): names are content-addressed, so overwriting is
    # safe and saves asking the storage whether a name is free.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"allow_overwrite": True},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

# Uploaded images and their renditions (images/). Local files by default,
# served by `make run` in DEBUG and by the web server (or SERVE_MEDIA=1) in
# production; S3-compatible object storage when S3_BUCKET is set.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
# Serve MEDIA_ROOT through Django (images.views.serve_media, far-future cache
# headers) when no web server does; DEBUG always does.
SERVE_MEDIA = env_bool("SERVE_MEDIA", False)
S3_BUCKET = os.environ.get("S3_BUCKET", "")
if S3_BUCKET:
    # https://django-storages.readthedocs.io/en/latest/backends/amazon-S3.html
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            # Public URLs (a CDN or the bucket's own host), no signatures:
            # pages build image URLs without asking anything of the storage.
            "custom_domain": os.environ.get("S3_PUBLIC_DOMAIN") or None,
            "url_protocol": os.environ.get("S3_PUBLIC_PROTOCOL", "https:"),
            "querystring_auth": False,
            "default_acl": os.environ.get("S3_DEFAULT_ACL") or None,
            "file_overwrite": True,
            "addressing_style": os.environ.get("S3_ADDRESSING_STYLE") or None,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
# Largest image upload accepted (bytes); larger files get a message, not a 500.
IMAGE_MAX_UPLOAD_BYTES = int(os.environ.get("IMAGE_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))

# The body editor (django-prose-editor, "configurable" preset) gets one
# extension of ours: the image button that inserts a library figure.
DJANGO_PROSE_EDITOR_EXTENSIONS = [
    {
        "js": [static_lazy("images/prose-library-image.js")],
        # The processor would widen django-prose-editor's own sanitizer; ours
        # (articles.text.sanitize_html) decides what a body keeps.
        "extensions": {"LibraryImage": html_tags(["figure"], {"figure": ["data-image-id"]})},
    }
]

# Site identity, used in feeds, sitemaps and structured data.
SITE_NAME = os.environ.get("SITE_NAME", "Newsroom 新闻中心")
SITE_DESCRIPTION = os.environ.get("SITE_DESCRIPTION", "行业新闻、政策与市场动态")

# Public pages and feeds: how long browsers and shared caches may keep them.
PUBLIC_CACHE_SECONDS = int(os.environ.get("PUBLIC_CACHE_SECONDS", "60"))

# The anonymous page cache (articles/cache.py): pages are kept until content
# changes or the next scheduled publication/expiry, at most this long. With a
# local-memory cache each process has its own copy, so keep it short there.
PAGE_CACHE = env_bool("PAGE_CACHE", True)
PAGE_CACHE_SECONDS = int(
    os.environ.get("PAGE_CACHE_SECONDS", "600" if REDIS_URL else str(PUBLIC_CACHE_SECONDS))
)
# Items per feed (RSS, Atom, JSON Feed); each carries the article's full text.
FEED_ITEMS = int(os.environ.get("FEED_ITEMS", "20"))
# Search answers any query: caching each would let anyone fill the cache.
# The API is rate-limited per caller and answers per key: never from this cache.
# Preview links (previews/) are private, per holder: never stored, not even looked up.
PAGE_CACHE_EXCLUDE_PREFIXES = ("/admin/", "/search/", "/api/", "/preview/")
# The only query parameters cached pages read: the key holds these, and the
# rest (utm_*, fbclid, anything made up) are removed before the view runs, so
# made-up parameters cannot fill the cache.
PAGE_CACHE_QUERY_PARAMETERS = ("page",)
# List pages count their articles once per content change, not per request.
COUNT_CACHE = env_bool("COUNT_CACHE", True)
# Varnish instances in front (deploy/varnish/default.vcl): each write's keys
# are purged there too, e.g. "http://127.0.0.1:6081,http://10.0.0.5:6081".
VARNISH_PURGE_URLS = [
    u.strip() for u in os.environ.get("VARNISH_PURGE_URLS", "").split(",") if u.strip()
]
VARNISH_PURGE_TIMEOUT = float(os.environ.get("VARNISH_PURGE_TIMEOUT", "0.5"))

# A desk form may carry a long body: the form refuses bodies over
# BODY_MAX_LENGTH characters with a message and the text kept, so the request
# itself must be allowed through (Django's 2.5 MB default answered a bare 400
# and lost the text). Larger requests get templates/400.html.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024))

# The content API (api/): rate limits as "requests/period" (s, min, hour, day),
# per address without a key and per partner key; empty switches one off.
API_RATE_LIMIT_ANONYMOUS = os.environ.get("API_RATE_LIMIT_ANONYMOUS", "60/min")
API_RATE_LIMIT_PARTNER = os.environ.get("API_RATE_LIMIT_PARTNER", "1200/min")
# How many proxies in front set X-Forwarded-For: the client's address is the
# one that many entries from the right. 0 (default): REMOTE_ADDR, as a client
# could write anything into X-Forwarded-For.
NINJA_NUM_PROXIES = int(os.environ.get("API_TRUSTED_PROXIES", "0"))
# Images partners get in API answers (api/media.py): by default each
# article's lead image, when it may be redistributed.
API_IMAGES_PROVIDER = "api.media.lead_images"

# https://github.com/adamchainz/django-cors-headers: browsers on these origins
# may read the API (comma-separated, e.g. https://app.example.com; "*" for any).
# Apps and mini-programs do not need CORS; nothing is allowed by default.
CORS_URLS_REGEX = r"^/api/.*$"
_cors_origins = env_list("API_CORS_ALLOWED_ORIGINS")
CORS_ALLOW_ALL_ORIGINS = _cors_origins == ["*"]
CORS_ALLOWED_ORIGINS = [] if CORS_ALLOW_ALL_ORIGINS else _cors_origins
CORS_ALLOW_METHODS = ["GET", "OPTIONS"]
CORS_ALLOW_HEADERS = ["accept", "accept-language", "if-none-match", "x-api-key"]
CORS_EXPOSE_HEADERS = ["ETag", "Retry-After"]
CORS_PREFLIGHT_MAX_AGE = 86400

# Chinese tag names get ASCII slugs from pinyin (see articles.models.Tag).
TAGGIT_CASE_INSENSITIVE = True
# Tag names typed in the desk lose invisible characters before taggit splits them.
TAGGIT_TAGS_FROM_STRING = "articles.text.parse_tags"

# Security: production defaults, relaxed only by DEBUG or explicit variables.
# https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if env_bool("SECURE_PROXY_SSL_HEADER", False):
        # Only behind a proxy that sets X-Forwarded-Proto itself.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


# Content-Security-Policy (django-csp 4, newsroom/security.py): public pages run
# only this site's scripts and styles, nothing inline; the desk also allows
# inline styles (Django's admin and the body editor set them).
# https://django-csp.readthedocs.io/en/latest/configuration.html
def _origin(url):
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


_media_origins = [
    origin
    for origin in (
        _origin(MEDIA_URL),
        _origin(
            f"{os.environ.get('S3_PUBLIC_PROTOCOL', 'https:')}//{os.environ['S3_PUBLIC_DOMAIN']}"
        )
        if S3_BUCKET and os.environ.get("S3_PUBLIC_DOMAIN")
        else None,
        _origin(os.environ.get("S3_ENDPOINT_URL", "")) if S3_BUCKET else None,
        *env_list("CSP_IMG_SRC"),
    )
    if origin
]
_csp_public = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:", *_media_origins],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
CONTENT_SECURITY_POLICY = {"DIRECTIVES": _csp_public}
CONTENT_SECURITY_POLICY_ADMIN = {
    "DIRECTIVES": {
        **_csp_public,
        # The nonce, where a page uses one: the body editor's import map.
        "script-src": ["'self'", CSP_NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *_media_origins],
        # The admin's related-object pop-ups are windows, never frames.
        "frame-ancestors": ["'self'"],
    }
}

# /.well-known/security.txt (RFC 9116): served when SECURITY_CONTACT is set
# (comma-separated mailto: or https: addresses).
SECURITY_CONTACT = env_list("SECURITY_CONTACT")
SECURITY_POLICY_URL = os.environ.get("SECURITY_POLICY_URL", "")
# An ISO date the file stops being valid; empty: 180 days from each request.
_security_expires = os.environ.get("SECURITY_TXT_EXPIRES", "")
SECURITY_TXT_EXPIRES = None
if _security_expires:
    SECURITY_TXT_EXPIRES = datetime.combine(
        datetime.fromisoformat(_security_expires).date(), time(), tzinfo=UTC
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
