"""A reader in headless Chromium: browsing, searching, a phone-sized screen, the keyboard and dark mode."""

import pytest

from .factories import ArticleFactory, AuthorFactory, SectionFactory, image_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def story():
    news = SectionFactory(name="News", slug="news", nav_order=1)
    SectionFactory(name="Sport", slug="sport", nav_order=2)
    author = AuthorFactory(name="Mara Jones", bio="Mara covers the council and the river.")
    article = ArticleFactory(
        headline="Council approves the riverside budget after a late-night session",
        standfirst="Councillors voted 23 to 19 for a plan to rebuild the flood wall and reopen the towpath.",
        body=(
            "The decision came after months of consultation.\n\n## Where the money goes\n\n"
            "| Item | 2025 (£m) | 2026 (£m) | Change |\n|---|---:|---:|---:|\n"
            "| Flood wall and embankment works | 1.8 | 2.4 | +0.6 |\n\n"
            "An extraordinarilylongwordthatcouldpushthepagewiderthanaphonescreenifnothingwraps it.\n\n"
            "See https://example.org/a/very/long/address/that/should/wrap/on/a/small/screen/too for details."
        ),
        section=news,
        featured=True,
        bylines=[author],
        tags=["flood defences"],
        hero_image=image_file("river.jpg", size=(1600, 900)),
        hero_alt="The river at dusk",
        hero_caption="A view over the valley.",
        hero_credit="Courier Staff",
    )
    ArticleFactory(headline="Rovers win away", section=SectionFactory(slug="sport"))
    return article


def test_reader_browses_home_section_article_tag_author(live_server, page, story):
    page.goto(f"{live_server.url}/")
    page.click("nav.sections >> text=News")
    assert page.inner_text("h1") == "News"
    page.click(f"text={story.headline}")
    assert page.inner_text("h1") == story.headline
    assert page.locator("figure.hero figcaption").inner_text().startswith("A view over the valley.")
    page.click("a[rel=tag] >> text=flood defences")
    assert page.inner_text("h1") == "Tagged “flood defences”"
    page.click(f"text={story.headline}")
    page.click("a[rel=author] >> text=Mara Jones")
    assert page.inner_text("h1") == "Mara Jones"
    assert "covers the council" in page.inner_text(".bio")


def test_reader_searches_and_sees_matches_highlighted(live_server, page, story):
    page.goto(f"{live_server.url}/")
    page.fill("#site-search", "towpath")
    page.press("#site-search", "Enter")
    page.wait_for_url("**/search/?q=towpath")
    assert "Search results for “towpath”" in page.inner_text("h1")
    assert page.locator(".search-results mark").first.inner_text().lower() == "towpath"
    page.click(".search-results h2 a")
    assert page.inner_text("h1") == story.headline


def test_an_article_fits_a_320_pixel_phone_without_sideways_scrolling(live_server, page, story, tmp_path):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server.url}{story.get_absolute_url()}")
    page.screenshot(path=str(tmp_path / "article-320.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.goto(f"{live_server.url}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def test_keyboard_users_reach_the_main_content_through_the_skip_link(live_server, page, story):
    page.goto(f"{live_server.url}{story.get_absolute_url()}")
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.className, document.activeElement.innerText]")
    assert focused == ["skip-link", "Skip to main content"]
    assert page.locator(".skip-link").bounding_box()["y"] >= 0  # shown on screen when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_focus_is_visible(live_server, page, story):
    page.goto(f"{live_server.url}/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def test_dark_mode_follows_the_system_setting(live_server, browser, story):
    context = browser.new_context(color_scheme="dark")
    dark = context.new_page()
    dark.goto(f"{live_server.url}{story.get_absolute_url()}")
    assert dark.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(18, 18, 18)"
    context.close()


def test_the_site_works_without_javascript(live_server, browser, story):
    context = browser.new_context(java_script_enabled=False)
    reader = context.new_page()
    reader.goto(f"{live_server.url}/search/?q=budget")
    assert story.headline in reader.inner_text("main")
    context.close()
