"""Security round 2, accounts and the admin: lockouts that staff cannot reset for each other, addresses and tags
of unpublished work kept from other writers, the tag merge page, and the Permissions-Policy header."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
RIGHT = "correct horse battery"
OFFICE = "203.0.113.40"


# Login lockout: per address and per username; a success clears only that username's failures from that address


def log_in(username, address, password="wrong password"):  # noqa: S107
    return Client().post(LOGIN, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=address)


def test_guessing_between_a_writers_good_logins_ends_locked_out(site_admin, writer, settings):
    """The attack run's sequence: 9 wrong admin passwords, then a good writer login, five times over."""
    answers = []
    for _ in range(5):
        answers += [log_in("ada", OFFICE).status_code for _ in range(settings.AXES_FAILURE_LIMIT - 1)]
        answers.append(log_in("wendy", OFFICE, RIGHT).status_code)
    assert 429 in answers
    assert answers.index(429) == settings.AXES_FAILURE_LIMIT  # the tenth guess, whatever came between
    assert log_in("ada", OFFICE, RIGHT).status_code == 429
    assert log_in("ada", "198.51.100.77", RIGHT).status_code == 429  # the username is locked wherever it comes from


def test_a_writers_own_success_does_not_clear_the_admin_usernames_failures(site_admin, writer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in("ada", OFFICE)
    assert log_in("wendy", "198.51.100.5", RIGHT).status_code == 302
    assert log_in("wendy", OFFICE, RIGHT).status_code == 302
    assert log_in("ada", "198.51.100.6").status_code == 429  # the tenth failure for "ada", from a new address
    assert log_in("ada", "198.51.100.7", RIGHT).status_code == 429


def test_a_success_clears_that_users_own_failures_from_that_address(writer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in("wendy", OFFICE)
    assert log_in("wendy", OFFICE, RIGHT).status_code == 302
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in("wendy", OFFICE).status_code == 200
    assert log_in("wendy", OFFICE, RIGHT).status_code == 302


def test_one_address_guessing_many_usernames_is_locked_out(writer, settings):
    for number in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(f"nobody{number}", OFFICE).status_code == 200
    assert log_in("somebody", OFFICE).status_code == 429
    assert log_in("wendy", OFFICE, RIGHT).status_code == 429


def test_a_locked_out_user_sees_the_styled_lockout_page(site_admin, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in("ada", OFFICE)
    response = log_in("ada", "198.51.100.8", RIGHT)
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    assert int(response["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    html = response.content.decode()
    assert "Account locked" in html
    assert "15 minutes" in html
    assert 'href="/static/admin/css/base.css"' in html  # the admin's own look, as on the login page
    assert "<title>Account locked | Newsroom admin</title>" in html
