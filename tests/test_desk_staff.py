"""Staff: one page adds a staff member with a role, a byline and a set-password link; a role always comes with
the right to sign in (bug 5); taking someone off the desk keeps their bylines and history."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse

from articles.models import Author
from articles.roles import EDITORS, WRITERS

from .factories import ArticleFactory, AuthorFactory, UserFactory

User = get_user_model()
ADD_STAFF = reverse("admin:auth_user_add_staff")


def add(client, **fields):
    data = {"name": "Mara Jones", "email": "mara.jones@example.org", "role": "writer", "byline": "new", **fields}
    return client.post(ADD_STAFF, data)


def signs_in(username, password="correct horse battery"):  # noqa: S107
    """Sign in through the admin's login form, as a person would; the client, or None if refused."""
    client = Client()
    response = client.post(reverse("admin:login"), {"username": username, "password": password, "next": "/admin/"})
    if response.status_code != 302:
        return None
    return client if client.get(reverse("admin:index")).status_code == 200 else None


def link_in(response):
    return re.search(r'id="set-password-link" value="([^"]+)"', response.content.decode()).group(1)


def test_a_site_admin_adds_a_writer_with_a_byline_and_a_one_time_link(admin_client_):
    response = add(admin_client_)
    assert response.status_code == 200
    user = User.objects.get(email="mara.jones@example.org")
    assert (user.username, user.get_full_name(), user.is_staff, user.is_superuser) == (
        "mara.jones",
        "Mara Jones",
        True,
        False,
    )
    assert list(user.groups.values_list("name", flat=True)) == [WRITERS]
    assert not user.has_usable_password()
    assert Author.objects.get(user=user).name == "Mara Jones"

    link = link_in(response).replace("http://testserver", "")
    newcomer = Client()
    form = newcomer.get(link, follow=True)
    assert form.status_code == 200
    data = {"new_password1": "a river runs through", "new_password2": "a river runs through"}
    assert newcomer.post(form.redirect_chain[-1][0], data).status_code == 302
    assert signs_in("mara.jones", "a river runs through")
    # The link works once.
    assert "invalid" in Client().get(link, follow=True).content.decode().lower()


def test_an_editor_linked_to_an_existing_byline(admin_client_):
    imported = AuthorFactory(name="P. Shah")
    add(admin_client_, name="Priya Shah", email="priya@example.org", role="editor", byline="existing",
        author=imported.pk)  # fmt: skip
    user = User.objects.get(email="priya@example.org")
    imported.refresh_from_db()
    assert imported.user == user
    assert Author.objects.filter(user=user).count() == 1
    assert user.groups.get().name == EDITORS


def test_a_site_admin_role_makes_a_superuser_without_a_byline(admin_client_):
    add(admin_client_, email="it@example.org", role="site_admin", byline="none")
    user = User.objects.get(email="it@example.org")
    assert user.is_superuser and user.is_staff
    assert not Author.objects.filter(user=user).exists()


def test_the_form_refuses_a_taken_email_and_a_missing_byline_choice(admin_client_):
    UserFactory(username="mara", email="mara.jones@example.org")
    page = add(admin_client_, byline="existing").content.decode()
    assert "There is already an account for this address" in page
    assert "Choose the byline to link" in page
    assert User.objects.filter(email="mara.jones@example.org").count() == 1


def test_the_link_is_emailed_when_a_mail_server_is_configured(admin_client_, settings):
    settings.EMAIL_HOST = "smtp.example.org"
    response = add(admin_client_)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["mara.jones@example.org"]
    assert link_in(response) in mail.outbox[0].body


def test_the_link_is_not_emailed_without_a_mail_server(admin_client_):
    assert "nothing was e-mailed" in add(admin_client_).content.decode()
    assert mail.outbox == []


@pytest.mark.parametrize("role", ["editor", "writer"])
def test_only_site_admins_may_add_staff(client_for, role):
    assert client_for(role).get(ADD_STAFF).status_code == 403
    assert add(client_for(role)).status_code == 403
    assert not User.objects.filter(email="mara.jones@example.org").exists()


def test_the_user_list_offers_the_page_to_site_admins(admin_client_):
    assert ADD_STAFF in admin_client_.get(reverse("admin:auth_user_changelist")).content.decode()


def test_a_user_put_in_writers_on_the_stock_user_form_can_sign_in(admin_client_):
    """Bug 5: a Writer could not sign in until "Staff status" was also ticked, which nothing said."""
    user = UserFactory(username="newbie", is_staff=False)
    data = {
        "username": "newbie", "first_name": "", "last_name": "", "email": "newbie@example.org",
        "is_active": "on", "groups": [Group.objects.get(name=WRITERS).pk],
        "date_joined_0": "2026-01-01", "date_joined_1": "10:00:00",
        "author-TOTAL_FORMS": "0", "author-INITIAL_FORMS": "0", "author-MIN_NUM_FORMS": "0",
        "author-MAX_NUM_FORMS": "1",
    }  # fmt: skip
    response = admin_client_.post(reverse("admin:auth_user_change", args=[user.pk]), data, follow=True)
    assert "can now sign in to the desk" in response.content.decode()
    user.refresh_from_db()
    assert user.is_staff
    assert signs_in("newbie")


def test_adding_to_a_role_group_anywhere_gives_staff_status(db):
    user = UserFactory(username="shell", is_staff=False)
    user.groups.add(Group.objects.get(name=EDITORS))
    user.refresh_from_db()
    assert user.is_staff
    other = UserFactory(username="reverse", is_staff=False)
    Group.objects.get(name=WRITERS).user_set.add(other)
    other.refresh_from_db()
    assert other.is_staff


def test_taking_someone_off_the_desk_keeps_their_bylines_and_history(admin_client_, writer, editor):
    article = ArticleFactory(bylines=[writer.author])
    article.headline = "Edited by the writer"
    article.save_revision(by=writer)
    changelist = reverse("admin:auth_user_changelist")
    admin_client_.post(changelist, {"action": "take_off_desk", "_selected_action": [writer.pk]})
    writer.refresh_from_db()
    assert not writer.is_active
    assert article.bylines.get().author.user == writer
    assert article.history.filter(history_user=writer).exists()
    assert signs_in(writer.username) is None
    # Deleting them instead is not offered.
    assert admin_client_.get(reverse("admin:auth_user_delete", args=[writer.pk])).status_code == 403
    assert "delete_selected" not in admin_client_.get(changelist).content.decode()


def test_the_user_list_makes_the_same_queries_for_few_and_many_staff(admin_client_, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    changelist = reverse("admin:auth_user_changelist")
    for number in range(2):
        UserFactory(username=f"few{number}", role=WRITERS)
    with CaptureQueriesContext(connection) as few:
        admin_client_.get(changelist)
    for number in range(20):
        UserFactory(username=f"many{number}", role=EDITORS if number % 2 else WRITERS)
    with django_assert_num_queries(len(few)):
        admin_client_.get(changelist)


def test_the_user_page_shows_and_makes_the_byline(admin_client_, writer):
    page = admin_client_.get(reverse("admin:auth_user_change", args=[writer.pk])).content.decode()
    assert 'value="Wendy Writer"' in page and "Byline (the author this login writes as)" in page
    newcomer = UserFactory(username="nobyline", is_staff=False)
    data = {
        "username": "nobyline", "first_name": "Nia", "last_name": "Bell", "email": "nia@example.org",
        "is_active": "on", "groups": [Group.objects.get(name=WRITERS).pk],
        "date_joined_0": "2026-01-01", "date_joined_1": "10:00:00",
        "author-TOTAL_FORMS": "1", "author-INITIAL_FORMS": "0", "author-MIN_NUM_FORMS": "0",
        "author-MAX_NUM_FORMS": "1", "author-0-name": "Nia Bell", "author-0-job_title": "Reporter",
        "author-0-email": "",
    }  # fmt: skip
    response = admin_client_.post(reverse("admin:auth_user_change", args=[newcomer.pk]), data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert Author.objects.get(user=newcomer).name == "Nia Bell"
