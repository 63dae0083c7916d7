"""Whole-page cache for anonymous readers, served before sessions, auth or the database are touched.

A cache key holds the site's *content version*. Any change to what readers see (an article, its bylines,
tags, sections, authors, corrections) bumps the version, so every page is fresh on the next request on every
app server: with Redis the version lives in the shared cache; with the local-memory cache (one machine) it
is the modification time of a stamp file that all worker processes can see.

A scheduled article needs nobody to save anything: the version also records the next moment content changes
by itself (the next scheduled publish time, from the source registered with ``set_next_change_source()``),
and the first request after that moment bumps the version.

Nothing a visitor can vary freely makes new entries or pushes real pages out of the cache:

- the key holds only the query parameters that choose what a page shows (registered by the content app with
  ``set_query_parameters()``); the others (``utm_source``, ``fbclid``, random noise) are dropped from the
  request before the page is rendered, so the page served to all of them is the one rendered without them;
- the shared entries, one per address, hold 200 responses to addresses without a query string; everything
  else (404s, redirects, pages chosen by a query string: searches, older pages of a list) goes to a fixed
  set of ``BOUNDED_SLOTS`` entries, so random addresses can only push each other out;
- only a session that exists bypasses the cache: a made-up ``sessionid`` cookie is dropped and the reader
  served from the cache like anyone else.
"""

import hashlib
import logging
import os
import time
from importlib import import_module
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import caches
from django.http import QueryDict
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import parse_http_date_safe

logger = logging.getLogger("newsroom")

VERSION_KEY = "pagecache:version"
NEXT_KEY = "pagecache:next-scheduled"
NO_SCHEDULE = 0.0
CACHE_ALIAS = "default"
BROWSER_MAX_AGE = 0  # browsers always revalidate; the CDN may keep a page for PAGE_CACHE_CDN_MAX_AGE
STALE_WHILE_REVALIDATE = 30
BOUNDED_SLOTS = 1024  # entries, in all, for 404s, redirects and addresses with a query string


def _cache():
    return caches[CACHE_ALIAS]


def _shared():
    return "locmem" not in settings.CACHES[CACHE_ALIAS]["BACKEND"].lower()


def _stamp():
    return Path(settings.PAGE_CACHE_STAMP_FILE)


def current_version():
    if _shared():
        version = _cache().get(VERSION_KEY)
        if version is None:
            version = bump()
        return str(version)
    try:
        return str(os.stat(_stamp()).st_mtime_ns)
    except FileNotFoundError:
        return bump()


# A change made while the shared cache was unreachable could not bump the version there; this process then
# keeps trying on its next requests, so pages cached before the outage are never served after it.
_bump_pending = False


def bump():
    """Make every cached page stale, here and on every other app server."""
    global _bump_pending  # noqa: PLW0603
    next_time = _next_change_time()
    if _shared():
        version = time.time_ns()
        try:
            _cache().set_many({VERSION_KEY: version, NEXT_KEY: next_time}, timeout=None)
            _bump_pending = _cache().get(VERSION_KEY) != version
        except Exception:  # noqa: BLE001 - the outage is logged by the cache backend or below
            logger.warning("Page cache version could not be bumped; will retry", exc_info=True)
            _bump_pending = True
        return str(version)
    path = _stamp()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(str(next_time))
    return str(os.stat(path).st_mtime_ns)


# Returns the next moment (an aware datetime, or None) at which pages change with nobody saving anything;
# the content app registers it (the articles app: the next scheduled publish time).
_next_change_source = None


def set_next_change_source(source):
    """Register ``source() -> datetime | None``, the next moment content changes by itself."""
    global _next_change_source  # noqa: PLW0603
    _next_change_source = source


def _next_change_time():
    moment = _next_change_source() if _next_change_source is not None else None
    return moment.timestamp() if moment else NO_SCHEDULE


def fresh_version():
    """The content version, bumped first if a scheduled article has gone live since the last change."""
    if _shared():
        values = _cache().get_many([VERSION_KEY, NEXT_KEY])
        version, next_time = values.get(VERSION_KEY), values.get(NEXT_KEY) or NO_SCHEDULE
        if version is None or _bump_pending or (next_time and time.time() >= next_time):
            return bump()
        return str(version)
    try:
        next_time = float(_stamp().read_text() or NO_SCHEDULE)
    except (FileNotFoundError, ValueError):
        return bump()
    if next_time and time.time() >= next_time:
        return bump()
    return current_version()


# The query parameters that choose what a page shows; None (nothing registered) keys on the whole query string.
_query_parameters = None


def set_query_parameters(*names):
    """Register the query parameters pages read; the cache ignores every other one, and views never see it."""
    global _query_parameters  # noqa: PLW0603
    _query_parameters = frozenset(names)


def drop_ignored_parameters(request):
    """Keep only the registered parameters in the request, so a page cannot depend on (or repeat) the rest."""
    if _query_parameters is None or not request.META.get("QUERY_STRING"):
        return
    kept = urlencode([(name, value) for name in sorted(_query_parameters) for value in request.GET.getlist(name)])
    if kept != request.META["QUERY_STRING"]:
        request.META["QUERY_STRING"] = kept
        request.GET = QueryDict(kept)


def _encoding(request):
    return "gzip" if "gzip" in request.headers.get("Accept-Encoding", "") else "identity"


def cache_key(request, version):
    raw = f"{request.get_host()}|{request.get_full_path()}|{_encoding(request)}"
    return f"page:{version}:{hashlib.sha256(raw.encode()).hexdigest()}"


def slot_key(key):
    """The bounded entry that may hold ``key``'s page (stored with ``key`` itself, to tell who owns it now).

    Slots do not depend on the content version: there are never more than ``BOUNDED_SLOTS`` of them.
    """
    return f"page-slot:{int(key.rsplit(':', 1)[1], 16) % BOUNDED_SLOTS}"


def _in_bounded_slots(request, response):
    return response.status_code != 200 or bool(request.META.get("QUERY_STRING"))


def has_live_session(request):
    """Whether the request's session cookie names a session that exists; a made-up one costs one lookup at most."""
    session_key = request.COOKIES[settings.SESSION_COOKIE_NAME]
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    if store.session_key is None:
        return False  # not even the shape of a session key
    try:
        return bool(store.load())
    except Exception:  # noqa: BLE001 - when in doubt, the visitor may be staff: never serve a cached page
        logger.warning("Session store unavailable; page served uncached", exc_info=True)
        return True


class PageCacheMiddleware:
    """Serve anonymous GET and HEAD requests from the cache; store cacheable responses.

    Place it after WhiteNoise and before GZip, sessions and everything else, so that a hit costs one or two
    cache reads and no database query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self._cacheable_request(request):
            return self.get_response(request)
        request.COOKIES.pop(settings.SESSION_COOKIE_NAME, None)  # a session that does not exist
        drop_ignored_parameters(request)
        try:
            version = fresh_version()
            key = cache_key(request, version)
            entries = _cache().get_many([key, slot_key(key)])
        except Exception:  # noqa: BLE001 - a cache outage must never take the site down
            logger.warning("Page cache unavailable; serving uncached", exc_info=True)
            return self.get_response(request)
        owner, in_slot = entries.get(slot_key(key), (None, None))
        cached = entries.get(key, in_slot if owner == key else None)
        if cached is not None:
            cached["X-Cache"] = "HIT"
            last_modified = parse_http_date_safe(cached.get("Last-Modified", ""))
            return get_conditional_response(
                request, etag=cached.get("ETag"), last_modified=last_modified, response=cached
            )
        response = self.get_response(request)
        if self._cacheable_response(request, response):
            response["X-Cache"] = "MISS"
            patch_cache_control(
                response,
                public=True,
                max_age=BROWSER_MAX_AGE,
                s_maxage=settings.PAGE_CACHE_CDN_MAX_AGE,
                stale_while_revalidate=STALE_WHILE_REVALIDATE,
            )
            patch_vary_headers(response, ["Cookie"])
            if _in_bounded_slots(request, response):
                key, response_to_store = slot_key(key), (key, response)
            else:
                response_to_store = response
            try:
                _cache().set(key, response_to_store, settings.PAGE_CACHE_SECONDS)
            except Exception:  # noqa: BLE001
                logger.warning("Page cache unavailable; response not stored", exc_info=True)
        return response

    @staticmethod
    def _cacheable_request(request):
        if not settings.PAGE_CACHE_ENABLED or request.method not in ("GET", "HEAD"):
            return False
        if request.path.startswith(settings.PAGE_CACHE_EXCLUDED_PREFIXES):
            return False
        # Logged-in staff (and anyone with a real session) always get a fresh page.
        return settings.SESSION_COOKIE_NAME not in request.COOKIES or not has_live_session(request)

    @staticmethod
    def _cacheable_response(request, response):
        if response.status_code not in (200, 301, 404) or response.streaming:
            return False
        if response.cookies or response.has_header("Set-Cookie"):
            return False
        control = response.get("Cache-Control", "")
        return not any(word in control for word in ("private", "no-store", "no-cache"))
