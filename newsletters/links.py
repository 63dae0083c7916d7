"""Signed links in readers' mail: confirm a follow, open one's preferences, unsubscribe in one click.

Every link is signed with the site's secret key (``django.core.signing``) and names a random value stored on
the reader or the follow, so a forged link fails the signature, and a link whose value has since been
replaced (a confirmation already used, every link forgotten from the preferences page) finds nothing.
Confirmation links also expire (``NEWSLETTER_CONFIRM_MAX_AGE``).
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import Follow, Reader

CONFIRM_SALT = "newsletters.confirm"
READER_SALT = "newsletters.reader"


class LinkError(Exception):
    """The link is forged, expired or used up; ``message`` says which, for the reader."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def absolute(path):
    return settings.SITE_URL + path


def confirm_token(follow):
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign_object({"f": follow.pk, "n": follow.nonce})


def confirm_url(follow):
    return absolute(reverse("newsletters:confirm", kwargs={"token": confirm_token(follow)}))


def follow_for_confirm_token(token):
    """The pending follow the token confirms, or LinkError."""
    try:
        value = signing.TimestampSigner(salt=CONFIRM_SALT).unsign_object(
            token, max_age=settings.NEWSLETTER_CONFIRM_MAX_AGE
        )
    except signing.SignatureExpired:
        raise LinkError("This confirmation link has expired. Follow again to get a new one.") from None
    except (signing.BadSignature, ValueError, TypeError):
        raise LinkError("This link is not valid. Please use the link exactly as it was sent.") from None
    follow = (
        Follow.objects.select_related("reader", "section", "tag", "author")
        .filter(pk=_int(value, "f"), nonce=_str(value, "n"), status=Follow.Status.PENDING)
        .first()
    )
    if follow is None:
        raise LinkError("This confirmation link has already been used or is no longer valid.")
    return follow


def reader_token(reader):
    return signing.Signer(salt=READER_SALT).sign_object({"r": reader.pk, "t": reader.token})


def preferences_url(reader):
    return absolute(reverse("newsletters:preferences", kwargs={"token": reader_token(reader)}))


def unsubscribe_url(reader):
    return absolute(reverse("newsletters:unsubscribe", kwargs={"token": reader_token(reader)}))


def reader_for_token(token):
    """The reader a preferences or unsubscribe link names, or LinkError."""
    try:
        value = signing.Signer(salt=READER_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        raise LinkError("This link is not valid. Please use the link exactly as it was sent.") from None
    reader = Reader.objects.filter(pk=_int(value, "r"), token=_str(value, "t")).first()
    if reader is None:
        raise LinkError("This link is no longer valid. Use the link in the latest email you received.")
    return reader


def _int(value, key):
    item = value.get(key) if isinstance(value, dict) else None
    return item if isinstance(item, int) else None


def _str(value, key):
    item = value.get(key) if isinstance(value, dict) else None
    return item if isinstance(item, str) else ""
