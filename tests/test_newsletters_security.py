"""Hostile input to the follow form and signed links: clear errors, nothing sent, nothing stored, and no
answer that tells whether an address is subscribed."""

from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from taggit.models import Tag

from newsletters import links
from newsletters.models import Consent, Follow, Reader

from .factories import ArticleFactory, AuthorFactory

pytestmark = pytest.mark.django_db

ORIGIN = {"HTTP_ORIGIN": "http://testserver"}
FOLLOW_FLOODS = "/newsletters/follow/tag/floods/"


@pytest.fixture(autouse=True)
def floods():
    ArticleFactory(tags=["floods"])
    DBTaskResult.objects.all().delete()  # the story's own alert job


def post_follow(email, client=None, headers=ORIGIN, **data):
    return (client or Client(enforce_csrf_checks=True)).post(FOLLOW_FLOODS, {"email": email, **data}, **headers)


def nothing_stored_or_queued():
    return not Reader.objects.exists() and not Follow.objects.exists() and not DBTaskResult.objects.exists()


@pytest.mark.parametrize(
    "email",
    [
        "a@b.c\r\nBcc: victim@example.org",
        "reader@example.net\nBcc: victim@example.org",
        "reader@example.net\r\n",
        "reader@example.net,victim@example.org",
        "Reader <reader@example.net>",
        "not an address",
        "",
        "x" * 250 + "@example.net",
    ],
)
def test_a_malformed_or_header_injecting_address_is_refused_with_nothing_stored(email):
    response = post_follow(email)
    assert response.status_code == 400
    assert b'class="form-errors" role="alert"' in response.content
    assert nothing_stored_or_queued()


def test_an_oversized_form_is_refused_before_it_is_read():
    response = post_follow("reader@example.net", website="x" * 10_000)
    assert response.status_code == 413
    assert b"far too large" in response.content
    assert nothing_stored_or_queued()


@pytest.mark.parametrize(
    "headers",
    [{}, {"HTTP_ORIGIN": "https://evil.example"}, {"HTTP_ORIGIN": "null"}, {"HTTP_REFERER": "https://evil.example/"}],
)
def test_a_post_from_another_site_or_without_origin_is_refused(headers):
    response = post_follow("reader@example.net", headers=headers)
    assert response.status_code == 403
    assert nothing_stored_or_queued()


def test_a_post_with_a_same_site_referer_but_no_origin_is_accepted():
    response = post_follow("reader@example.net", headers={"HTTP_REFERER": "http://testserver/tag/floods/"})
    assert response.status_code == 200
    assert Follow.objects.filter(status=Follow.Status.PENDING).count() == 1


def test_a_filled_in_honeypot_gets_the_usual_answer_and_nothing_happens():
    response = post_follow("bot@example.net", website="https://spam.example")
    assert response.status_code == 200
    assert b"Check your inbox" in response.content
    assert nothing_stored_or_queued()


def test_the_answer_is_the_same_for_a_new_a_waiting_and_a_confirmed_address(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        new = post_follow("new@example.net")
        Follow.objects.update(status=Follow.Status.CONFIRMED)
        confirmed = post_follow("new@example.net")
        other = post_follow("other@example.net")
    assert new.status_code == confirmed.status_code == other.status_code == 200
    assert new.content == confirmed.content
    assert new.content.replace(b"new@", b"other@") == other.content
    # Only the two waiting requests queue a confirmation; the confirmed reader gets nothing new.
    assert DBTaskResult.objects.filter(task_path="newsletters.tasks.send_confirmation").count() == 2


def test_sign_ups_are_rate_limited_per_address(settings):
    settings.NEWSLETTER_SIGNUPS_PER_ADDRESS = 2
    assert [post_follow("reader@example.net").status_code for _ in range(3)] == [200, 200, 429]
    response = post_follow("reader@example.net")
    assert b"Too many requests for this address" in response.content
    assert Consent.objects.count() == 2


def test_sign_ups_are_rate_limited_per_connection(settings):
    settings.NEWSLETTER_SIGNUPS_PER_IP = 2
    codes = [post_follow(f"reader{n}@example.net").status_code for n in range(3)]
    assert codes == [200, 200, 429]
    assert Reader.objects.count() == 2


def test_consent_records_what_when_and_a_hash_of_where_never_the_address():
    post_follow("reader@example.net", headers={**ORIGIN, "REMOTE_ADDR": "203.0.113.7"})
    consent = Consent.objects.get()
    assert consent.action == Consent.Action.REQUESTED
    assert consent.subject == "alerts for tag “floods”"
    assert consent.at is not None
    assert consent.ip_hash and "203.0.113" not in consent.ip_hash
    assert not Consent.objects.filter(source__contains="203.0.113").exists()


def test_unknown_targets_are_not_found():
    client = Client()
    assert client.get("/newsletters/follow/tag/no-such-tag/").status_code == 404
    assert client.get("/newsletters/follow/planet/earth/").status_code == 404
    assert client.post("/newsletters/follow/tag/no-such-tag/", {"email": "a@example.net"}, **ORIGIN).status_code == 404
    assert nothing_stored_or_queued()


# Signed links


def pending_follow(email="reader@example.net"):
    reader = Reader.objects.create(email=email)
    return Follow.objects.create(reader=reader, tag=Tag.objects.get(slug="floods"))


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        "eyJmIjoxLCJuIjoieCJ9:1abcde:forgedsignature",
        signing.TimestampSigner(salt="another.purpose").sign_object({"f": 1, "n": "x"}),
        signing.TimestampSigner(key="not-the-site-key", salt=links.CONFIRM_SALT).sign_object({"f": 1, "n": "x"}),
        signing.TimestampSigner(salt=links.CONFIRM_SALT).sign_object(["not", "a", "dict"]),
        signing.TimestampSigner(salt=links.CONFIRM_SALT).sign_object({"f": 10**30, "n": 5}),
    ],
)
def test_a_forged_confirmation_link_is_refused(token):
    follow = pending_follow()
    for method in ("get", "post"):
        response = getattr(Client(), method)(reverse("newsletters:confirm", args=[token]))
        assert response.status_code == 400
        assert b"not valid" in response.content or b"no longer valid" in response.content
    follow.refresh_from_db()
    assert follow.status == Follow.Status.PENDING


def test_an_expired_confirmation_link_is_refused():
    follow = pending_follow()
    path = links.confirm_url(follow).removeprefix("https://news.example.org")
    with time_machine.travel(timedelta(days=4)):
        response = Client().post(path)
    assert response.status_code == 400
    assert b"expired" in response.content
    follow.refresh_from_db()
    assert follow.status == Follow.Status.PENDING


def test_a_confirmation_link_works_once_and_never_after_unsubscribing():
    follow = pending_follow()
    path = links.confirm_url(follow).removeprefix("https://news.example.org")
    assert Client().post(path).status_code == 200
    assert Client().post(path).status_code == 400
    Client().post(links.unsubscribe_url(follow.reader).removeprefix("https://news.example.org"))
    response = Client().post(path)
    assert response.status_code == 400
    assert b"already been used" in response.content
    follow.refresh_from_db()
    assert follow.status == Follow.Status.UNSUBSCRIBED


def test_a_forged_unsubscribe_or_preferences_link_is_refused():
    follow = pending_follow()
    forged = signing.Signer(key="not-the-site-key", salt=links.READER_SALT).sign_object({"r": 1, "t": "x"})
    for name in ("unsubscribe", "preferences"):
        for token in ("nonsense", forged):
            response = Client().post(reverse(f"newsletters:{name}", args=[token]), **ORIGIN)
            assert response.status_code == 400
    follow.refresh_from_db()
    assert follow.status == Follow.Status.PENDING


def test_opening_the_unsubscribe_link_only_shows_the_button():
    follow = pending_follow()
    response = Client().get(links.unsubscribe_url(follow.reader).removeprefix("https://news.example.org"))
    assert response.status_code == 200
    assert b"<button" in response.content
    follow.refresh_from_db()
    assert follow.status == Follow.Status.PENDING


# Preferences


def preferences_path(reader):
    return links.preferences_url(reader).removeprefix("https://news.example.org")


def test_the_preferences_page_lists_follows_and_stops_one(client_for):
    reporter = AuthorFactory(name="Rita Reporter")
    ArticleFactory(bylines=[reporter])
    follow = pending_follow()
    other = Follow.objects.create(reader=follow.reader, author=reporter, status=Follow.Status.CONFIRMED)
    client = Client(enforce_csrf_checks=True)
    page = client.get(preferences_path(follow.reader))
    assert page.status_code == 200
    assert b"floods" in page.content and b"Rita Reporter" in page.content
    assert "no-store" in page["Cache-Control"]
    response = client.post(preferences_path(follow.reader), {"action": "stop", "follow": other.pk}, **ORIGIN)
    assert response.status_code == 200
    other.refresh_from_db()
    assert other.status == Follow.Status.UNSUBSCRIBED
    assert b"Rita Reporter" not in response.content


@pytest.mark.parametrize("follow_id", ["999999999999999999999999", "١٢", "-1", ""])
def test_the_preferences_page_ignores_a_made_up_follow(follow_id):
    follow = pending_follow()
    response = Client().post(preferences_path(follow.reader), {"action": "stop", "follow": follow_id}, **ORIGIN)
    assert response.status_code == 200
    follow.refresh_from_db()
    assert follow.status == Follow.Status.PENDING


def test_another_readers_follow_cannot_be_stopped_from_my_preferences():
    mine, theirs = pending_follow("me@example.net"), pending_follow("them@example.net")
    Client().post(preferences_path(mine.reader), {"action": "stop", "follow": theirs.pk}, **ORIGIN)
    theirs.refresh_from_db()
    assert theirs.status == Follow.Status.PENDING


def test_preferences_changes_must_come_from_the_page():
    follow = pending_follow()
    response = Client().post(preferences_path(follow.reader), {"action": "stop-all"})
    assert response.status_code == 403
    follow.refresh_from_db()
    assert follow.status == Follow.Status.PENDING


def test_a_reader_can_be_forgotten_and_old_links_stop_working():
    follow = pending_follow()
    path = preferences_path(follow.reader)
    response = Client().post(path, {"action": "forget"}, **ORIGIN)
    assert response.status_code == 200
    assert not Reader.objects.exists() and not Follow.objects.exists() and not Consent.objects.exists()
    assert Client().get(path).status_code == 400
