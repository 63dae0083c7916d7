"""Page-cache hits served in front of Django, the way WhiteNoise serves static files.

``PageCacheApp`` wraps the Django WSGI application (``newsroom/wsgi.py``). For an anonymous GET or HEAD it
looks the page up from the WSGI environ alone (``pagecache.lookup``: one cache read, no request object, no
middleware, no database) and answers a hit, or a stale copy while another reader rebuilds it, with the
headers stored with the page; a matching ``If-None-Match`` or ``If-Modified-Since`` gets a 304. Anything
else goes to Django untouched; on a miss the lookup rides along in the environ, so the page-cache middleware
renders and stores the page without looking again.

A request carrying a session cookie always goes to Django, which asks the session store whether the session
exists: a live one (staff) gets a fresh page, a made-up one is served from the cache there.
"""

from http import HTTPStatus

from django.http.cookie import parse_cookie

from . import pagecache

REASONS = {status.value: f"{status.value} {status.phrase}" for status in HTTPStatus}


class PageCacheApp:
    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD")
        if method not in ("GET", "HEAD") or not pagecache.cacheable_path(environ.get("PATH_INFO", "/")):
            return self.application(environ, start_response)
        cookies = environ.get("HTTP_COOKIE")
        if cookies and pagecache.config().session_cookie in parse_cookie(cookies):
            return self.application(environ, start_response)
        found = pagecache.lookup(environ)
        if found is None:
            return self.application(environ, start_response)
        if found.state in (pagecache.HIT, pagecache.STALE):
            status, headers, body = pagecache.answer(found.entry, found.state, environ)
            start_response(REASONS.get(status, str(status)), headers)
            return [b""] if method == "HEAD" else [body]
        environ[pagecache.ENVIRON_KEY] = found
        return self.application(environ, start_response)
