import os
import shutil

import pytest
from django.conf import settings

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


@pytest.fixture
def writer(db):
    user = UserFactory(username="wendy", role="Writers")
    AuthorFactory(name="Wendy Writer", user=user)
    return user


@pytest.fixture
def other_writer(db):
    user = UserFactory(username="oscar", role="Writers")
    AuthorFactory(name="Oscar Other", user=user)
    return user


@pytest.fixture
def editor(db):
    user = UserFactory(username="edith", role="Editors")
    AuthorFactory(name="Edith Editor", user=user)
    return user


@pytest.fixture
def site_admin(db):
    return UserFactory(username="ada", is_superuser=True)


def _client_for(client_class, user):
    client = client_class()
    client.force_login(user)
    return client


@pytest.fixture
def writer_client(writer):
    from django.test import Client

    return _client_for(Client, writer)


@pytest.fixture
def other_writer_client(other_writer):
    from django.test import Client

    return _client_for(Client, other_writer)


@pytest.fixture
def editor_client(editor):
    from django.test import Client

    return _client_for(Client, editor)


@pytest.fixture
def admin_client_(site_admin):
    from django.test import Client

    return _client_for(Client, site_admin)


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
