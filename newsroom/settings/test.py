"""Settings for the test suite: fast hashing, local-memory cache, uploads kept out of media/."""

import tempfile
import warnings

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="newsroom-test-media-"))  # noqa: F405
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="newsroom-test-static-"))  # noqa: F405
SITE_URL = "https://news.example.org"
PAGE_CACHE_STAMP_FILE = str(Path(tempfile.mkdtemp(prefix="newsroom-test-stamp-")) / "stamp")  # noqa: F405
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
if not REDIS_URL:  # noqa: F405
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

warnings.filterwarnings(
    "error", r"DateTimeField .* received a naive datetime", RuntimeWarning, r"django\.db\.models\.fields"
)
