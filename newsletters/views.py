"""Readers' pages: follow, confirm, preferences, unsubscribe. None of them is cached and none says whether
an address is already subscribed.

Follow posts come from cached pages, so they carry no CSRF token (see ``protection``); the other posts carry
a signed link's token, the reader's only credential, in the address itself, and mail clients post the
one-click unsubscribe (RFC 8058) from their own servers, so those are exempt from Django's CSRF check too.
"""

import logging

from django.db import transaction
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from articles.models import Section
from articles.querysets import public_author_or_404, public_tag_or_404

from . import links, protection
from .forms import FollowForm
from .models import Consent, Follow, Reader
from .tasks import send_confirmation

logger = logging.getLogger("newsletters")

MAX_FORM_BYTES = 4096
TARGETS = {
    "section": lambda slug: get_object_or_404(Section, slug=slug),
    "tag": public_tag_or_404,
    "author": public_author_or_404,
}


def _page(request, template, status=200, **context):
    return render(request, f"newsletters/{template}.html", context, status=status)


def _problem(request, message, status):
    return _page(request, "problem", status=status, message=message)


@never_cache
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def follow(request, kind, slug):
    if kind not in TARGETS:
        return _problem(request, "There is nothing to follow at this address.", 404)
    target = TARGETS[kind](slug)
    if request.method != "POST":
        return _page(request, "follow", kind=kind, target=target, form=FollowForm())
    if _content_length(request) > MAX_FORM_BYTES:
        return _problem(request, "That form was far too large. Please enter just your email address.", 413)
    if not protection.same_origin(request):
        return _problem(request, "Please follow from a page of this site.", 403)
    if not protection.allow_attempt(request):
        return _problem(request, "Too many attempts from your connection. Please try again in an hour.", 429)
    form = FollowForm(request.POST)
    if not form.is_valid():
        return _page(request, "follow", status=400, kind=kind, target=target, form=form)
    email = form.cleaned_data["email"]
    if form.is_bot:
        return _page(request, "check_inbox", target=target, email=email)
    if not protection.allow_signup(request, email):
        return _problem(request, "Too many requests for this address. Please try again in an hour.", 429)
    _request_follow(request, email, kind, target)
    # The same answer whether the address is new, waiting or already following.
    return _page(request, "check_inbox", target=target, email=email)


def _content_length(request):
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return MAX_FORM_BYTES + 1


def _request_follow(request, email, kind, target):
    with transaction.atomic():
        reader, _ = Reader.objects.get_or_create(email=email)
        follow, _ = Follow.objects.get_or_create(reader=reader, **{kind: target})
        if follow.status == Follow.Status.CONFIRMED:
            return  # already following: nothing to send, and the page says nothing different
        follow.status = Follow.Status.PENDING
        follow.nonce = Follow._meta.get_field("nonce").default()
        follow.save(update_fields=["status", "nonce"])
        Consent.objects.create(
            reader=reader,
            follow=follow,
            action=Consent.Action.REQUESTED,
            subject=f"alerts for {kind} “{target}”",
            source=request.headers.get("Referer", "")[:200] or request.path,
            ip_hash=protection.address_hash(request),
        )
        follow_id = follow.pk
        transaction.on_commit(lambda: send_confirmation.enqueue(follow_id))


@never_cache
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    """The link in the confirmation mail shows a button; only pressing it confirms (link checkers in mail
    systems open links, and must not confirm on the reader's behalf)."""
    try:
        follow = links.follow_for_confirm_token(token)
    except links.LinkError as error:
        return _problem(request, error.message, 400)
    if request.method != "POST":
        return _page(request, "confirm", follow=follow)
    with transaction.atomic():
        confirmed = Follow.objects.filter(pk=follow.pk, nonce=follow.nonce, status=Follow.Status.PENDING).update(
            status=Follow.Status.CONFIRMED,
            confirmed_at=timezone.now(),
            unsubscribed_at=None,
            nonce=Follow._meta.get_field("nonce").default(),
        )
        if not confirmed:  # the same link pressed twice at once
            return _problem(request, "This confirmation link has already been used or is no longer valid.", 400)
        Consent.objects.create(
            reader=follow.reader,
            follow=follow,
            action=Consent.Action.CONFIRMED,
            subject=f"alerts for {follow.kind} “{follow.target}”",
            source="confirmation link",
            ip_hash=protection.address_hash(request),
        )
    return _page(request, "confirmed", follow=follow, preferences_url=links.preferences_url(follow.reader))


def _unsubscribe(request, reader, follows, source):
    now = timezone.now()
    with transaction.atomic():
        for follow in follows.exclude(status=Follow.Status.UNSUBSCRIBED).select_related("section", "tag", "author"):
            follow.status, follow.unsubscribed_at = Follow.Status.UNSUBSCRIBED, now
            follow.save(update_fields=["status", "unsubscribed_at"])
            Consent.objects.create(
                reader=reader,
                follow=follow,
                action=Consent.Action.UNSUBSCRIBED,
                subject=f"alerts for {follow.kind} “{follow.target}”",
                source=source,
                ip_hash=protection.address_hash(request),
            )


@never_cache
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """One click: a POST (from the page's button, or from a mail client's RFC 8058 "Unsubscribe") stops
    every alert; a GET only shows the button."""
    try:
        reader = links.reader_for_token(token)
    except links.LinkError as error:
        return _problem(request, error.message, 400)
    if request.method == "POST":
        _unsubscribe(request, reader, reader.follows.all(), "one-click unsubscribe")
        return _page(request, "unsubscribed", reader=reader, preferences_url=links.preferences_url(reader))
    return _page(request, "unsubscribe", reader=reader)


@never_cache
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request, token):
    """Everything a reader follows, with a button to stop each, all, or to be forgotten altogether."""
    try:
        reader = links.reader_for_token(token)
    except links.LinkError as error:
        return _problem(request, error.message, 400)
    if request.method == "POST":
        if not protection.same_origin(request):
            return _problem(request, "Please use the buttons on this page.", 403)
        action = request.POST.get("action", "")
        if action == "forget":
            reader.delete()
            return _page(request, "forgotten")
        if action == "stop-all":
            _unsubscribe(request, reader, reader.follows.all(), "preferences page")
        elif action == "stop":
            follow_id = request.POST.get("follow", "")
            valid = follow_id.isascii() and follow_id.isdigit() and len(follow_id) < 12
            follows = reader.follows.filter(pk=int(follow_id)) if valid else Follow.objects.none()
            _unsubscribe(request, reader, follows, "preferences page")
        else:
            return _problem(request, "Please use the buttons on this page.", 400)
    follows = reader.follows.exclude(status=Follow.Status.UNSUBSCRIBED).select_related("section", "tag", "author")
    return _page(request, "preferences", reader=reader, follows=follows, saved=request.method == "POST")
