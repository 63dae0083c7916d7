import os
import shutil

import pytest
from django.conf import settings
from django.test import Client

from articles.models import Author

from .factories import AuthorFactory, UserFactory

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by tests are still safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# Who is who: the same usernames in every test, so a failure names a person.
ROLE_USERS = {
    # role: (username, group, author name); the site admin is a superuser without a byline
    "writer": ("wendy", "Writers", "Wendy Writer"),
    "other_writer": ("oscar", "Writers", "Oscar Other"),
    "editor": ("edith", "Editors", "Edith Editor"),
    "admin": ("ada", None, None),
}


def user_for(role):
    """The staff account that plays ``role``, made on first use (with its author, for writers and editors)."""
    username, group, author_name = ROLE_USERS[role]
    user = UserFactory(username=username, role=group, is_superuser=group is None)
    if author_name and not Author.objects.filter(user=user).exists():
        AuthorFactory(name=author_name, user=user)
    return user


@pytest.fixture
def client_for(db):
    """``client_for(role)``: a test client logged in as the writer, other_writer, editor or admin, or anonymous.

    One client per role and test, so fixtures and the test body share the same session.
    """
    made = {}

    def client_for(role):
        if role not in made:
            client = Client()
            if role != "anonymous":
                client.force_login(user_for(role))
            made[role] = client
        return made[role]

    return client_for


@pytest.fixture
def writer(db):
    return user_for("writer")


@pytest.fixture
def other_writer(db):
    return user_for("other_writer")


@pytest.fixture
def editor(db):
    return user_for("editor")


@pytest.fixture
def site_admin(db):
    return user_for("admin")


@pytest.fixture
def writer_client(client_for):
    return client_for("writer")


@pytest.fixture
def other_writer_client(client_for):
    return client_for("other_writer")


@pytest.fixture
def editor_client(client_for):
    return client_for("editor")


@pytest.fixture
def admin_client_(client_for):
    return client_for("admin")


@pytest.fixture
def no_page_cache(settings):
    """Read every page fresh: for tests that change content between requests inside one transaction.

    Use it with ``pytestmark = pytest.mark.usefixtures("no_page_cache")``.
    """
    settings.PAGE_CACHE_ENABLED = False


# Browser tests: the system Chromium, never a downloaded one.


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.skip("Browser tests need Chromium: apt-get install chromium")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def media_root():
    return settings.MEDIA_ROOT


# With NEWSROOM_FAIL_ON_SKIP=1 (CI), a skip whose reason is not expected fails the run: see tests/skips.py.
from .skips import pytest_configure  # noqa: E402, F401
