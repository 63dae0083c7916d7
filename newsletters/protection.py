"""Keeping the follow form from being abused: same-origin posts, rate limits, hashed addresses.

The follow form is printed in pages served from the page cache to every anonymous reader, so it cannot
carry a per-visitor CSRF token. It needs none: the follow endpoint reads no cookie and acts for no one
logged in, so a forged cross-site post could do nothing the forger cannot do directly. What is left (using
visitors' browsers to spread sign-ups over many addresses) is stopped by requiring the browser's ``Origin``
header (or, failing that, ``Referer``) to name this site, and by the rate limits below.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac

from newsroom.middleware import client_ip

RATE_WINDOW = 3600  # seconds


def _origin(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else None


def same_origin(request):
    """Whether the browser says the post comes from one of this site's own pages."""
    sent = request.headers.get("Origin") or _origin(request.headers.get("Referer", ""))
    if not sent or sent == "null":
        return False
    allowed = {_origin(settings.SITE_URL), _origin(request.build_absolute_uri("/"))}
    allowed.update(_origin(origin) for origin in getattr(settings, "CSRF_TRUSTED_ORIGINS", []))
    return sent.lower() in allowed


def address_hash(request):
    """A salted hash of the visitor's address: repeat requests match, the address cannot be read back."""
    return salted_hmac("newsletters.address", client_ip(request) or "", algorithm="sha256").hexdigest()[:32]


def email_hash(email):
    return salted_hmac("newsletters.email", email.lower(), algorithm="sha256").hexdigest()[:32]


def _hit(key, limit):
    """Count one request against ``key``; False once more than ``limit`` were counted in the window."""
    cache.add(key, 0, RATE_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RATE_WINDOW)
        count = 1
    return count <= limit


def allow_signup(request, email):
    """Whether this visitor and this address may ask for another confirmation within the hour."""
    by_address = _hit(f"newsletters:rate:ip:{address_hash(request)}", settings.NEWSLETTER_SIGNUPS_PER_IP)
    by_email = _hit(f"newsletters:rate:email:{email_hash(email)}", settings.NEWSLETTER_SIGNUPS_PER_ADDRESS)
    return by_address and by_email


def allow_attempt(request):
    """Whether this visitor may post the form at all (invalid posts count too)."""
    key = f"newsletters:rate:post:{address_hash(request)}"
    return _hit(key, settings.NEWSLETTER_SIGNUPS_PER_IP * 3)
