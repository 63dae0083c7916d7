"""In Chromium: a site admin adds a staff member, who chooses a password through the one-time link and signs in."""

import re

import pytest

from articles.models import Author

from .screenshots import docs_screenshot
from .test_browser_editorial import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_site_admin_adds_a_writer_who_signs_in_through_the_link(live_server, page, site_admin):
    log_in(page, live_server, "ada")
    page.click("text=Add a staff member")
    page.fill("#id_name", "Mara Jones")
    page.fill("#id_email", "mara.jones@example.org")
    page.check("input[name=role][value=writer]")
    page.check("input[name=byline][value=new]")
    docs_screenshot(page, "staff-add", full_page=True)
    page.click("input[type=submit]")
    link = page.input_value("#set-password-link")
    username = page.inner_text("#staff-username")
    assert username == "mara.jones"
    docs_screenshot(page, "staff-added")

    page.context.clear_cookies()
    page.goto(link)
    page.fill("#id_new_password1", "a river runs through it")
    page.fill("#id_new_password2", "a river runs through it")
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r".*/set-password/done/$"))
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "mara.jones")
    page.fill("#id_password", "a river runs through it")
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/$"))
    assert page.locator("#newsroom-overview h2").first.inner_text().startswith("My drafts")
    assert Author.objects.get(user__username="mara.jones").name == "Mara Jones"

    # The link worked once.
    page.context.clear_cookies()
    page.goto(link)
    assert "invalid" in page.inner_text("#content").lower()
