"""Whole-page cache for anonymous readers: pages kept with every header, purged by what they show.

**What is stored.** A page is stored as the response the reader got, every header included (security
headers, CSP, Permissions-Policy, Vary, ETag, Cache-Control), because ``PageCacheMiddleware`` comes first
in ``MIDDLEWARE`` and sees the response last. So a hit needs nothing else from Django: the WSGI layer in
front of it (``newsroom/pagecache_app.py``) answers hits, and 304s, with no request object, no middleware
and no database, from one cache read; the middleware answers the same way when it is called directly.

**What a page shows.** The content app registers ``set_surrogate_key_source(source)``:
``source(request, response)`` names the content a page shows as surrogate keys (the article, the lists it
is built from). Every page also carries ``ALL``; a page the source cannot describe carries ``ANY``, which
every purge includes. The keys go out in a ``Surrogate-Key`` header for a proxy or CDN in front.

**Purges.** ``purge(keys)`` (on commit, from the content app) gives those keys a new version
(``newsroom/pagecache_versions.py``), tells the proxies (``add_purge_listener``) and so makes stale only
the pages that show that content. A scheduled article needs nobody to save anything: the next moment
content changes by itself (from ``set_next_change_source()``) is kept with the versions, and the first
request after that moment purges everything.

**No stampede.** A page whose content changed stays in the cache. The first request to find it stale takes
a short lock in the cache and rebuilds it; meanwhile the others are served the previous copy, for at most
``PAGE_CACHE_STALE_SECONDS`` after the change. Only a page never cached makes its readers wait.

**Nothing a visitor can vary freely makes new entries or pushes real pages out of the cache:**

- the key holds only the query parameters that choose what a page shows (``set_query_parameters()``); the
  others (``utm_source``, ``fbclid``, noise) are dropped from the request before the page is rendered;
- the shared entries, one per address, hold 200 responses to addresses without a query string; everything
  else (404s, redirects, searches, older pages of a list) goes to a fixed set of ``BOUNDED_SLOTS`` entries;
- only a session that exists bypasses the cache: a made-up ``sessionid`` cookie is dropped;
- an address never seen that the content app says certainly does not exist (``set_missing_source()``) gets
  the stored 404 page, which is the same for every address, instead of a rendering of its own.
"""

import hashlib
import logging
import time
from importlib import import_module
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse, QueryDict
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags, parse_http_date_safe

from . import pagecache_proxies, pagecache_versions

logger = logging.getLogger("newsroom")

CACHE_ALIAS = "default"
BROWSER_MAX_AGE = 0  # browsers always revalidate; the CDN may keep a page for PAGE_CACHE_CDN_MAX_AGE
STALE_WHILE_REVALIDATE = 30
BOUNDED_SLOTS = 1024  # entries, in all, for 404s, redirects and addresses with a query string
LOCK_SECONDS = 5  # the longest one rebuild may hold a page's lock
ALL, ANY, MISSING = "all", "any", "missing"  # every page; pages of unknown content; 404s and redirects
ENVIRON_KEY = "newsroom.pagecache"  # the WSGI layer's lookup, handed to the middleware on a miss
HIT, STALE, MISS, REBUILD = "HIT", "STALE", "MISS", "REBUILD"
NOT_MODIFIED_DROPS = frozenset({"content-length", "content-type", "content-encoding"})


def _cache():
    return caches[CACHE_ALIAS]


class _Config:
    """The settings a lookup reads, read once (a hit is a few microseconds; reading settings is not free)."""

    def __init__(self):
        self.enabled = settings.PAGE_CACHE_ENABLED
        self.excluded = tuple(settings.PAGE_CACHE_EXCLUDED_PREFIXES)
        self.shared = "locmem" not in settings.CACHES[CACHE_ALIAS]["BACKEND"].lower()
        self.ssl_header = settings.SECURE_PROXY_SSL_HEADER
        self.forwarded_host = settings.USE_X_FORWARDED_HOST
        self.stale_ns = settings.PAGE_CACHE_STALE_SECONDS * 1_000_000_000
        self.session_cookie = settings.SESSION_COOKIE_NAME
        self.versions = None  # made on first use, where a failure (an unwritable stamp file) is handled


_config = None


def config():
    global _config  # noqa: PLW0603
    if _config is None:
        _config = _Config()
    return _config


@receiver(setting_changed)
def _forget_config(**kwargs):
    global _config  # noqa: PLW0603
    _config = None


def _versions():
    current = config()
    if current.versions is None:
        current.versions = pagecache_versions.store(current.shared)
    return current.versions


# Hooks the content app registers from its AppConfig.ready(); the project package knows nothing of articles.
_next_change_source = None
_surrogate_key_source = None
_purge_listeners = [pagecache_proxies.purge_proxies]
_query_parameters = None  # None (nothing registered) keys on the whole query string
_missing_source = None


def set_next_change_source(source):
    """Register ``source() -> datetime | None``, the next moment content changes by itself."""
    global _next_change_source  # noqa: PLW0603
    _next_change_source = source


def set_surrogate_key_source(source):
    """Register ``source(request, response) -> iterable of keys | None``: the content a page shows."""
    global _surrogate_key_source  # noqa: PLW0603
    _surrogate_key_source = source


def set_missing_source(source):
    """Register ``source(path_info) -> bool``: True when the address certainly answers 404 (asked on a miss,
    so that an address never seen costs a check and the stored 404 page, not a full rendering)."""
    global _missing_source  # noqa: PLW0603
    _missing_source = source


def add_purge_listener(listener):
    """Call ``listener(keys)`` after every purge (``keys`` holds ``ALL`` when everything changed)."""
    if listener not in _purge_listeners:
        _purge_listeners.append(listener)


def set_query_parameters(*names):
    """Register the query parameters pages read; the cache ignores every other one, and views never see it."""
    global _query_parameters  # noqa: PLW0603
    _query_parameters = frozenset(names)


def _next_change_ns():
    moment = _next_change_source() if _next_change_source is not None else None
    return int(moment.timestamp() * 1e9) if moment else 0


# A purge made while the shared cache was unreachable could not reach it; this process then purges
# everything on its next request (at most once a second), so pages cached before the outage are never
# served after it, and until then serves pages uncached.
_bump_pending = False
_last_retry = 0.0
RETRY_EVERY = 1.0


def purge(keys, notify=True):
    """Make stale every cached page that shows any of ``keys``, here, on every app server and at the proxies."""
    global _bump_pending, _last_retry  # noqa: PLW0603
    keys = sorted({*keys, ANY})
    try:
        _versions().purge(_cache(), keys, pagecache_versions.now_ns(), _next_change_ns())
        _bump_pending = False
    except Exception:  # noqa: BLE001 - the outage is logged by the cache backend or below
        logger.warning("Page cache purge could not be stored; will purge everything when it can", exc_info=True)
        _bump_pending, _last_retry = True, time.monotonic()
    for listener in _purge_listeners if notify else ():
        try:
            listener(keys)
        except Exception:  # noqa: BLE001 - a proxy that cannot be told must not fail the editor's save
            logger.warning("Purge listener %r failed", listener, exc_info=True)


def purge_all(notify=True):
    purge([ALL], notify=notify)


def bump():
    """Make every cached page stale (kept for callers that do not know what changed)."""
    purge_all()


def _catch_up():
    """Purge what must be before a lookup: a purge that could not be stored, or a scheduled change now due.
    Returns False while the cache still cannot take it (pages are then served uncached).

    A cache that lost versions (Redis restarted, or evicting) needs nothing: a missing version reads as 0,
    which no stored page was built with unless its key was never purged.
    """
    if _bump_pending:
        if time.monotonic() - _last_retry < RETRY_EVERY:
            return False
        purge_all(notify=False)  # the proxies were told when the change was made
    else:
        purge_all()
    return not _bump_pending


def kept_query(query_string):
    """The query string with only the registered parameters, in a fixed order."""
    if _query_parameters is None or not query_string:
        return query_string
    pairs = parse_qsl(query_string, keep_blank_values=True)
    return urlencode([(k, v) for name in sorted(_query_parameters) for k, v in pairs if k == name])


def drop_ignored_parameters(request):
    """Keep only the registered parameters in the request, so a page cannot depend on (or repeat) the rest."""
    query_string = request.META.get("QUERY_STRING", "")
    kept = kept_query(query_string)
    if kept != query_string:
        request.META["QUERY_STRING"] = kept
        request.GET = QueryDict(kept)


def _scheme(environ):
    header = config().ssl_header
    if header and header[0] in environ:
        return "https" if environ[header[0]].split(",", 1)[0].strip() == header[1] else "http"
    return environ.get("wsgi.url_scheme", "http")


def _host(environ):
    if config().forwarded_host and "HTTP_X_FORWARDED_HOST" in environ:
        return environ["HTTP_X_FORWARDED_HOST"]
    return environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME', '')}:{environ.get('SERVER_PORT', '')}"


def cache_key(environ):
    """The page's key, from the WSGI environ (or ``request.META``, which holds the same values)."""
    encoding = "gzip" if "gzip" in environ.get("HTTP_ACCEPT_ENCODING", "") else "identity"
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "/")
    query = kept_query(environ.get("QUERY_STRING", ""))
    raw = f"{_scheme(environ)}|{_host(environ)}|{path}?{query}|{encoding}"
    return f"page:{hashlib.sha256(raw.encode('utf-8', 'surrogateescape')).hexdigest()}"


def not_found_key(environ):
    """The 404 page, the same for every address that does not exist (per scheme, host and encoding)."""
    encoding = "gzip" if "gzip" in environ.get("HTTP_ACCEPT_ENCODING", "") else "identity"
    return f"page-404:{_scheme(environ)}|{_host(environ)}|{encoding}"


def slot_key(key):
    """The bounded entry that may hold ``key``'s page (stored with ``key`` itself, to tell who owns it now)."""
    return f"page-slot:{int(key.rsplit(':', 1)[1], 16) % BOUNDED_SLOTS}"


def _lock_key(key):
    return f"page-lock:{key}"


class Lookup:
    """What the cache holds for a request: ``state`` is HIT, STALE (serve it), MISS or REBUILD (render it)."""

    __slots__ = ("key", "state", "entry", "seq")

    def __init__(self, key, state, entry, seq):
        self.key, self.state, self.entry, self.seq = key, state, entry, seq


def lookup(environ):
    """Find the page for an anonymous GET or HEAD; None when the cache cannot be used (an outage)."""
    key = cache_key(environ)
    slot = slot_key(key)
    try:
        cache, versions = _cache(), _versions()
        fetched = cache.get_many([key, slot, *versions.meta_keys])
        seq, next_change = versions.state(fetched)
        if _bump_pending or (next_change and time.time_ns() >= next_change):
            if not _catch_up():
                return None
            seq, next_change = versions.state(cache.get_many(versions.meta_keys) if versions.meta_keys else {})
        entry = fetched.get(key)
        if entry is None:
            owner, in_slot = fetched.get(slot, (None, None))
            entry = in_slot if owner == key else None
        if entry is None:
            return Lookup(key, MISS, None, seq)
        changed = versions.stale_since(cache, entry[4], seq)
        if changed is None:
            return Lookup(key, HIT, entry, seq)
        if time.time_ns() - changed > config().stale_ns:
            return Lookup(key, MISS, entry, seq)  # too old to serve while another reader rebuilds it
        if cache.add(_lock_key(key), 1, LOCK_SECONDS):
            return Lookup(key, REBUILD, entry, seq)
        return Lookup(key, STALE, entry, seq)
    except Exception:  # noqa: BLE001 - a cache outage must never take the site down
        logger.warning("Page cache unavailable; serving uncached", exc_info=True)
        return None


def release(found):
    if found.state == REBUILD:
        try:
            _cache().delete(_lock_key(found.key))
        except Exception:  # noqa: BLE001 - the lock expires by itself
            logger.warning("Page cache lock not released", exc_info=True)


def answer(entry, state, environ):
    """``(status, headers, body)`` for a cached entry: a 304 with no body if the request's validators match."""
    status, headers, body = entry[0], entry[1], entry[2]
    if status == 200 and _not_modified(environ, headers):
        headers = [(name, value) for name, value in headers if name.lower() not in NOT_MODIFIED_DROPS]
        return 304, [*headers, ("X-Cache", state)], b""
    return status, [*headers, ("X-Cache", state)], body


def _not_modified(environ, headers):
    """Django's rules (``get_conditional_response``): If-None-Match first, else If-Modified-Since."""
    if "HTTP_IF_NONE_MATCH" not in environ and "HTTP_IF_MODIFIED_SINCE" not in environ:
        return False
    values = {name.lower(): value for name, value in headers}
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if if_none_match:
        tags = parse_etags(if_none_match)
        return "etag" in values and ("*" in tags or _weak(values["etag"]) in {_weak(tag) for tag in tags})
    since = parse_http_date_safe(environ.get("HTTP_IF_MODIFIED_SINCE", ""))
    modified = parse_http_date_safe(values.get("last-modified", ""))
    return bool(since and modified and modified <= since)


def _weak(tag):
    return tag.removeprefix("W/")


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


def cacheable_path(path):
    current = config()
    return current.enabled and not path.startswith(current.excluded)


class PageCacheMiddleware:
    """Serve anonymous GET and HEAD requests from the cache; store cacheable responses with all their headers.

    First in ``MIDDLEWARE``: a hit runs no other middleware and makes no query, and a stored page holds every
    header the other middleware add.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        found = request.META.pop(ENVIRON_KEY, None)  # looked up already by the WSGI layer
        if found is None:
            if not self._cacheable_request(request):
                return self.get_response(request)
            request.COOKIES.pop(settings.SESSION_COOKIE_NAME, None)  # a session that does not exist
            found = lookup(request.META)
            if found is None:
                drop_ignored_parameters(request)
                return self.get_response(request)
            if found.state in (HIT, STALE):
                return self._from_cache(found, request)
        if found.entry is None and found.state == MISS:
            not_found = self._stored_not_found(found, request)
            if not_found is not None:
                return not_found
        drop_ignored_parameters(request)
        try:
            response = self.get_response(request)
            if self._cacheable_response(response):
                self._store(found, request, response)
            return response
        finally:
            release(found)

    @staticmethod
    def _from_cache(found, request):
        status, headers, body = answer(found.entry, found.state, request.META)
        response = HttpResponse(body, status=status)
        for name, value in headers:
            response[name] = value
        return response

    def _stored_not_found(self, found, request):
        """An address never seen that certainly does not exist: the stored 404 page, if it is current."""
        if _missing_source is None or not request.path_info.endswith("/"):
            return None
        try:
            cache = _cache()
            entry = cache.get(not_found_key(request.META))
            if entry is None or _versions().stale_since(cache, entry[4], found.seq) is not None:
                return None
        except Exception:  # noqa: BLE001
            logger.warning("Page cache unavailable; serving uncached", exc_info=True)
            return None
        if not _missing_source(request.path_info):
            return None
        return self._from_cache(Lookup(found.key, HIT, entry, found.seq), request)

    def _store(self, found, request, response):
        response["X-Cache"] = MISS
        patch_cache_control(
            response,
            public=True,
            max_age=BROWSER_MAX_AGE,
            s_maxage=settings.PAGE_CACHE_CDN_MAX_AGE,
            stale_while_revalidate=STALE_WHILE_REVALIDATE,
        )
        patch_vary_headers(response, ["Cookie"])
        keys = surrogate_keys(request, response)
        response["Surrogate-Key"] = " ".join(keys)
        headers = [(name, value) for name, value in response.items() if name != "X-Cache"]
        bounded = response.status_code != 200 or bool(request.META.get("QUERY_STRING"))
        try:
            seq, token = _versions().snapshot(_cache(), keys)
            if seq != found.seq:  # purged since the lookup: those keys' part of the page may predate the change
                token = tuple((name, -1 if version > (found.seq or 0) else version) for name, version in token)
            entry = (response.status_code, headers, response.content, keys, token)
            key, value = (slot_key(found.key), (found.key, entry)) if bounded else (found.key, entry)
            stored = {key: value}
            if response.status_code == 404 and not settings.DEBUG:  # the debug 404 page names the address
                stored[not_found_key(request.META)] = entry
            _cache().set_many(stored, settings.PAGE_CACHE_SECONDS)
        except Exception:  # noqa: BLE001
            logger.warning("Page cache unavailable; response not stored", exc_info=True)

    @staticmethod
    def _cacheable_request(request):
        if request.method not in ("GET", "HEAD") or not cacheable_path(request.path):
            return False
        # Logged-in staff (and anyone with a real session) always get a fresh page.
        return settings.SESSION_COOKIE_NAME not in request.COOKIES or not has_live_session(request)

    @staticmethod
    def _cacheable_response(response):
        if response.status_code not in (200, 301, 404) or response.streaming:
            return False
        if response.cookies or response.has_header("Set-Cookie"):
            return False
        control = response.get("Cache-Control", "")
        return not any(word in control for word in ("private", "no-store", "no-cache"))


def surrogate_keys(request, response):
    """The page's surrogate keys: ``ALL``, ``MISSING`` for a 404 or redirect, and what the content app names."""
    named = _surrogate_key_source(request, response) if _surrogate_key_source is not None else None
    keys = [ALL] if named is None else [ALL, *named]
    if named is None:
        keys.append(ANY)
    if response.status_code != 200:
        keys.append(MISSING)
    return list(dict.fromkeys(keys))
