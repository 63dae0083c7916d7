"""The messages readers receive: a plain-text and an HTML part, the unsubscribe headers, no tracking.

Links in the mail point straight at the site (no redirect through a click counter) and there is no image
that reports when a message is opened.
"""

from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from . import links


def _message(*, reader, subject, template, context, list_unsubscribe):
    context = {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "reader": reader,
        "preferences_url": links.preferences_url(reader),
        **context,
    }
    headers = {"Message-ID": make_msgid(domain=settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or None)}
    if list_unsubscribe:
        # RFC 8058: mail clients offer "Unsubscribe" and POST "List-Unsubscribe=One-Click" to this address.
        headers["List-Unsubscribe"] = f"<{links.unsubscribe_url(reader)}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"newsletters/email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[reader.email],
        headers=headers,
    )
    message.attach_alternative(render_to_string(f"newsletters/email/{template}.html", context), "text/html")
    return message


def confirmation_message(follow):
    """The one message sent before a reader confirms: the link to confirm, and nothing else."""
    return _message(
        reader=follow.reader,
        subject=f"Confirm: follow {follow.target} on {settings.SITE_NAME}",
        template="confirm",
        context={
            "follow": follow,
            "confirm_url": links.confirm_url(follow),
            "max_age_days": max(1, settings.NEWSLETTER_CONFIRM_MAX_AGE // 86400),
        },
        list_unsubscribe=False,  # nothing to leave yet: not confirming is enough
    )


def alert_message(reader, article, follows):
    """An alert about a new story, naming what the reader follows that it belongs to."""
    return _message(
        reader=reader,
        subject=article.headline,
        template="alert",
        context={
            "article": article,
            "article_url": links.absolute(article.get_absolute_url()),
            "follows": follows,
        },
        list_unsubscribe=True,
    )
