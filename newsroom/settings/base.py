"""Settings for Newsroom, read from environment variables with safe local defaults.

Local development needs no configuration at all. A production deployment sets at least
DJANGO_DEBUG=0, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and SITE_URL; see docs/deploy.md.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off. "
            'Generate one with: python -c "import secrets; print(secrets.token_urlsafe(50))"'
        )
    SECRET_KEY = "insecure-local-development-key-only-for-debug-mode"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")

SITE_URL = (os.environ.get("SITE_URL") or "http://127.0.0.1:8000").rstrip("/")  # `make run` sets it from HOST/PORT
if DEBUG and not os.environ.get("DJANGO_ALLOWED_HOSTS"):
    ALLOWED_HOSTS.append(urlsplit(SITE_URL).hostname)  # make run HOST=192.168.1.20 answers on that address
SITE_NAME = os.environ.get("SITE_NAME", "The Riverside Courier")
SITE_DESCRIPTION = os.environ.get("SITE_DESCRIPTION", "Independent local news for Riverside and the valley.")

INSTALLED_APPS = [
    "newsroom.apps.NewsroomAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "newsroom.apps.TagsConfig",
    "imagekit",
    "simple_history",
    "newsroom.apps.LoginLockoutsConfig",
    "articles.apps.ArticlesConfig",
    "django_tasks",
    "django_tasks_db",
    "newsletters.apps.NewslettersConfig",
]

MIDDLEWARE = [
    # First, so that a stored page holds every header the others add and a hit runs none of them.
    "newsroom.pagecache.PageCacheMiddleware",
    "newsroom.middleware.PermissionsPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "newsroom.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "articles.middleware.ArticleRedirectFallbackMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

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

# Database: SQLite in the project by default, anything dj-database-url understands otherwise.
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=600,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Tuned for a web server: many concurrent readers, one writer that waits instead of failing. Each
    # worker keeps its connection (CONN_MAX_AGE above), so SQLite's page cache stays warm between requests.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA busy_timeout=20000;"
            "PRAGMA temp_store=MEMORY;"
            "PRAGMA mmap_size=134217728;"
            "PRAGMA cache_size=-20000;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Like Django's RedisCache, but a Redis outage means misses, not errors (newsroom/cache.py).
            "BACKEND": "newsroom.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "newsroom",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "newsroom",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }

# Whole-page cache for anonymous readers (newsroom/pagecache.py, docs/performance.md). A change purges the
# pages that show it, so the lifetime below only bounds memory, never freshness. After a change, readers may
# be served the previous copy for PAGE_CACHE_STALE_SECONDS at most while one of them rebuilds it.
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE_ENABLED", True)
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", 3600))
PAGE_CACHE_STALE_SECONDS = int(os.environ.get("PAGE_CACHE_STALE_SECONDS", 10))
PAGE_CACHE_CDN_MAX_AGE = int(os.environ.get("PAGE_CACHE_CDN_MAX_AGE", 60))
PAGE_CACHE_EXCLUDED_PREFIXES = ("/admin/", "/health/", "/media/", "/static/", "/newsletters/")
PAGE_CACHE_STAMP_FILE = os.environ.get("PAGE_CACHE_STAMP_FILE", str(BASE_DIR / ".pagecache-stamp"))
# Caching proxies in front (Varnish with deploy/varnish/newsroom.vcl): each is sent a PURGE request with the
# surrogate keys of every change, in an xkey-purge header.
PAGE_CACHE_PURGE_URLS = env_list("PAGE_CACHE_PURGE_URLS")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Media on S3-compatible object storage (AWS, MinIO, Ceph, R2, ...) when a bucket is named; local disk
# otherwise. Renditions made by django-imagekit go to the same storage. See docs/deploy.md.
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            "querystring_auth": False,
            "file_overwrite": False,
            "default_acl": os.environ.get("AWS_DEFAULT_ACL") or None,
            # Stored names are random and never reused, so browsers and CDNs may keep them for good.
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }

WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0
WHITENOISE_ROOT = os.environ.get("WHITENOISE_ROOT") or None  # extra files served at the site root

# Uploads: generous enough for a phone photo, small enough to keep the server safe.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o644
IMAGE_MAX_BYTES = int(os.environ.get("IMAGE_MAX_BYTES", 20 * 1024 * 1024))
IMAGE_MAX_PIXELS = int(os.environ.get("IMAGE_MAX_PIXELS", 40_000_000))
# Animations: checked from the file's structure before decoding, since every frame is decoded and re-encoded.
IMAGE_MAX_FRAMES = int(os.environ.get("IMAGE_MAX_FRAMES", 500))
IMAGE_MAX_ANIMATION_PIXELS = int(os.environ.get("IMAGE_MAX_ANIMATION_PIXELS", 20_000_000))  # frames × pixels
# Memory to hold the decoded frames (4 bytes a pixel for colour): by default what one 40-megapixel photo needs.
IMAGE_MAX_DECODED_BYTES = int(os.environ.get("IMAGE_MAX_DECODED_BYTES", 4 * IMAGE_MAX_PIXELS))
IMAGEKIT_DEFAULT_CACHEFILE_STRATEGY = "imagekit.cachefiles.strategies.Optimistic"
IMAGEKIT_CACHEFILE_DIR = "renditions"

# Markdown body: iframes are allowed only from these hosts, always sandboxed, over https, and only at a
# player address: the path must match the host's pattern below (a host without one is refused).
VIDEO_EMBED_HOSTS = env_list(
    "VIDEO_EMBED_HOSTS",
    "www.youtube-nocookie.com,www.youtube.com,player.vimeo.com",
)
VIDEO_EMBED_PATHS = {
    "www.youtube-nocookie.com": r"/embed/[A-Za-z0-9_-]+",
    "www.youtube.com": r"/embed/[A-Za-z0-9_-]+",
    "player.vimeo.com": r"/video/[0-9]+",
}

TAGGIT_CASE_INSENSITIVE = True
TAGGIT_STRIP_UNICODE_WHEN_SLUGIFYING = True  # ASCII slugs: "Zürich" -> "zurich"

# Jekyll import (docs/import.md): the largest post file, and the caps on an uploaded .zip archive: files,
# bytes unpacked in all and per file, and how much better than this ratio the whole archive (or a file
# over 1 MB) may be compressed. Photos hardly compress and text about 3 to 5 times; zeros 1,000 times.
JEKYLL_MAX_FILE_BYTES = int(os.environ.get("JEKYLL_MAX_FILE_BYTES", 2 * 1024 * 1024))
JEKYLL_MAX_ZIP_ENTRIES = int(os.environ.get("JEKYLL_MAX_ZIP_ENTRIES", 20_000))
JEKYLL_MAX_ZIP_BYTES = int(os.environ.get("JEKYLL_MAX_ZIP_BYTES", 1024 * 1024 * 1024))
JEKYLL_MAX_ZIP_ENTRY_BYTES = int(os.environ.get("JEKYLL_MAX_ZIP_ENTRY_BYTES", 50 * 1024 * 1024))
JEKYLL_MAX_ZIP_RATIO = int(os.environ.get("JEKYLL_MAX_ZIP_RATIO", 20))
JEKYLL_MAX_ZIP_ENTRY_RATIO = int(os.environ.get("JEKYLL_MAX_ZIP_ENTRY_RATIO", 100))

# Feeds: "full" puts the whole article in feed items, "summary" only the standfirst.
FEED_CONTENT = os.environ.get("FEED_CONTENT", "full")

LOGIN_URL = "admin:login"

# Mail (readers' newsletters and alerts, new staff members' set-password links) goes through Django's SMTP
# backend to EMAIL_HOST. Staff links are sent only when a mail server is named; without one, readers' mail is
# written to the console (local development). EMAIL_BACKEND overrides both.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 587))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", 30))
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "newsroom@localhost")

# Background jobs (django-tasks): kept in the database and run by `manage.py db_worker` (see docs/deploy.md).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# Readers' follows and alerts (newsletters/, docs/newsletters.md).
NEWSLETTER_CONFIRM_MAX_AGE = int(os.environ.get("NEWSLETTER_CONFIRM_MAX_AGE", 3 * 24 * 3600))  # seconds
NEWSLETTER_SIGNUPS_PER_IP = int(os.environ.get("NEWSLETTER_SIGNUPS_PER_IP", 10))  # an hour
NEWSLETTER_SIGNUPS_PER_ADDRESS = int(os.environ.get("NEWSLETTER_SIGNUPS_PER_ADDRESS", 3))  # an hour
NEWSLETTER_SEND_ATTEMPTS = int(os.environ.get("NEWSLETTER_SEND_ATTEMPTS", 5))
NEWSLETTER_ALERT_MAX_AGE = timedelta(hours=int(os.environ.get("NEWSLETTER_ALERT_MAX_AGE_HOURS", 24)))

# Login brute-force protection (django-axes): ten failures from one address, or for one username from
# anywhere, lock that address or that username out for a while. The address is the TCP peer unless
# NEWSROOM_TRUSTED_PROXY_COUNT says how many proxies of ours stand in front; a client-written
# X-Forwarded-For is never believed (newsroom/middleware.py). A successful login clears only the failures
# of that username from that address (axes' own reset would clear every failure counted against the
# address, letting any staff member wipe the count of guesses at another account).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
NEWSROOM_TRUSTED_PROXY_COUNT = int(os.environ.get("NEWSROOM_TRUSTED_PROXY_COUNT", 0))
AXES_CLIENT_IP_CALLABLE = "newsroom.middleware.client_ip"
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 10))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", 15)))
AXES_RESET_ON_SUCCESS = False
AXES_HANDLER = "newsroom.middleware.LoginAttemptHandler"
AXES_LOCKOUT_CALLABLE = "newsroom.middleware.lockout_response"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address"]

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Permissions-Policy (newsroom/middleware.py): browser features the site never uses, off for every page and
# every frame in it. Fullscreen, picture-in-picture, autoplay and encrypted media are left alone for the
# video embeds. Each name is one Chromium recognises (unknown names only log console errors).
PERMISSIONS_POLICY_DISABLED = [
    "accelerometer", "browsing-topics", "camera", "clipboard-read", "compute-pressure", "display-capture",
    "geolocation", "gyroscope", "hid", "identity-credentials-get", "idle-detection", "interest-cohort",
    "local-fonts", "magnetometer", "microphone", "midi", "otp-credentials", "payment", "screen-wake-lock",
    "serial", "speaker-selection", "usb", "window-management", "xr-spatial-tracking",
]  # fmt: skip

# Content Security Policy (django-csp): scripts only from this site, no inline script anywhere (the
# JSON-LD block is data, not script), no plugins, no framing, forms post only here. Inline style
# attributes are allowed (the sanitized body keeps text-align on table cells), <style> elements are not.
_MEDIA_ORIGIN = "{0.scheme}://{0.netloc}".format(urlsplit(MEDIA_URL)) if urlsplit(MEDIA_URL).netloc else None
if AWS_STORAGE_BUCKET_NAME:  # media come from the bucket, its endpoint or its custom (CDN) domain
    _options = STORAGES["default"]["OPTIONS"]
    if _options["custom_domain"]:
        _MEDIA_ORIGIN = f"https://{_options['custom_domain']}"
    elif _options["endpoint_url"]:
        _MEDIA_ORIGIN = "{0.scheme}://{0.netloc}".format(urlsplit(_options["endpoint_url"]))
    else:
        _MEDIA_ORIGIN = f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com"
_MEDIA_ORIGIN = os.environ.get("MEDIA_ORIGIN") or _MEDIA_ORIGIN
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [SELF, "data:", *filter(None, [_MEDIA_ORIGIN])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "media-src": [SELF, *filter(None, [_MEDIA_ORIGIN])],
        "frame-src": [f"https://{host}" for host in VIDEO_EMBED_HOSTS] or [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
    CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", SITE_URL)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "newsroom": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "articles": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "newsletters": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
