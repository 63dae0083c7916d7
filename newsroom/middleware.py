"""Project-wide middleware: the Permissions-Policy header, a calm 503 when the database is away, and the login
lockout's hooks into axes."""

import logging

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import admin
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader

logger = logging.getLogger("newsroom")

RETRY_AFTER_SECONDS = 30


class PermissionsPolicyMiddleware:
    """Turn off the browser features in ``PERMISSIONS_POLICY_DISABLED`` on every response.

    First in ``MIDDLEWARE``, so it also reaches page-cache hits, static files, error pages and the 503.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY_DISABLED)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.policy)
        return response


def database_unavailable_response():
    """The styled 503 page. It renders without the database (no context processors, no queries)."""
    template = loader.get_template("503.html")
    response = HttpResponse(template.render({"SITE_NAME": settings.SITE_NAME}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def database_reachable():
    for connection in connections.all(initialized_only=True):
        try:
            connection.ensure_connection()
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError:
            return False
    return True


class DatabaseUnavailableMiddleware:
    """Turn a lost database into a 503 with Retry-After instead of an error page, and recover by itself.

    Errors raised by a view or while rendering its template arrive in ``process_exception``. Errors
    raised elsewhere (in another middleware) have already become a 500 by the time the response comes
    back here, so a 500 is checked once against the database and becomes a 503 if the database is the
    cause. Recovery needs nothing from here: Django closes a connection that failed when the request
    ends, and the next request opens a fresh one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        failed = response.status_code == 500 and not getattr(response, "_database_unavailable", False)
        if failed and not database_reachable():
            return self._unavailable(request, "a 500 while the database was unreachable")
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)):
            return self._unavailable(request, exception)
        return None

    def _unavailable(self, request, cause):
        logger.error("Database unavailable for %s %s: %s", request.method, request.path, cause)
        response = database_unavailable_response()
        response._database_unavailable = True
        return response


def client_ip(request):
    """The address axes counts failed logins against.

    By default the TCP peer (REMOTE_ADDR): a client cannot change it, so a forged X-Forwarded-For
    neither dodges nor resets a lockout. Behind reverse proxies set NEWSROOM_TRUSTED_PROXY_COUNT to
    their number; the address is then taken that many hops from the right of X-Forwarded-For, the part
    the proxies themselves wrote.
    """
    proxies = settings.NEWSROOM_TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


class LoginAttemptHandler(AxesDatabaseHandler):
    """Axes' database handler, except that a successful login clears only the failures of that username from
    that address.

    Axes' own reset on success (``AXES_RESET_ON_SUCCESS``) deletes every failure that matches any lockout
    parameter, so with the address among them one writer's good login would wipe the guesses made at the
    admin's account from the same address. ``reset_attempts`` with both an address and a username deletes
    only the attempts that match both.
    """

    def user_logged_in(self, sender, request, user, **kwargs):
        super().user_logged_in(sender, request, user, **kwargs)
        address, username = getattr(request, "axes_ip_address", None), user.get_username()
        if address and username:
            self.reset_attempts(ip_address=address, username=username)


def lockout_response(request, original_response=None, credentials=None):
    """The locked-out page, in the admin's look, with ``Retry-After`` (axes' ``AXES_LOCKOUT_CALLABLE``)."""
    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds())
    context = {**admin.site.each_context(request), "title": "Account locked", "cooloff_minutes": -(-seconds // 60)}
    response = render(request, "admin/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    return response
