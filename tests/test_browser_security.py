"""In headless Chromium: hostile text renders without running, and the Content Security Policy is live.

The XSS check runs with CSP bypassed, so it proves the escaping and sanitizing alone; a separate test
proves the policy would block an inline script if one ever got through.
"""

from urllib.parse import urlencode

import pytest
from django.conf import settings

from .test_security_xss import hostile_site
from .xss_payloads import PAYLOADS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBSET = {
    "script-quotes-breakout", "title-breakout", "json-breakout", "img-onerror", "details-ontoggle",
    "input-autofocus", "href-entity-tab", "iframe-srcdoc", "md-reference-link", "md-attr-list", "svg-animate-href",
    "math-mglyph-style", "noscript-mutation", "svg-style-mutation",
}  # fmt: skip

# Fire the events that inline handlers listen for on every element, as a curious reader's mouse would.
POKE = """() => {
  for (const el of document.querySelectorAll('body *')) {
    for (const type of ['mouseover', 'mouseenter', 'focus', 'toggle', 'animationstart', 'load', 'error']) {
      el.dispatchEvent(new Event(type));
    }
  }
  return window.__xss;
}"""

SECURITY_EVENTS = """
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective));
"""


def staff_cookie(client, live_server):
    """The session cookie of a logged-in test client (``client_for(role)``), for the browser."""
    host = live_server.url.split("//", 1)[1].split(":")[0]
    return {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "domain": host, "path": "/"}  # fmt: skip


def is_own_document(route, live_server):
    request = route.request
    return (
        request.resource_type == "document"
        and request.url.startswith(live_server.url)
        and request.frame.parent_frame is None
    )


def test_hostile_text_never_runs_in_chromium(live_server, browser, client_for):
    payloads = [(name, payload) for name, payload in PAYLOADS if name in SUBSET]
    articles = [hostile_site(payload, number) for number, (_, payload) in enumerate(payloads, start=1)]
    context = browser.new_context(bypass_csp=True, java_script_enabled=True)
    dialogs = []
    context.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page = context.new_page()
    # Only the pages themselves load: images, frames and styles fail, which fires any onerror handler that
    # survived, and keeps the test fast and off the network.
    page.route("**/*", lambda route: route.continue_() if is_own_document(route, live_server) else route.abort())
    urls = ["/", "/search/?q=zebra"]
    urls += [article.get_absolute_url() for article in articles]
    urls += ["/search/?" + urlencode({"q": payload}) for _, payload in payloads[:5]]
    for url in urls:
        page.goto(live_server.url + url, wait_until="load")
        assert page.evaluate(POKE) is None, url
    context.add_cookies([staff_cookie(client_for("admin"), live_server)])
    for article in articles[:3]:
        page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/", wait_until="load")
        assert page.evaluate(POKE) is None
    assert dialogs == []
    context.close()


def test_the_content_security_policy_blocks_inline_script_that_got_through(live_server, page):
    from .factories import ArticleFactory

    article = ArticleFactory(headline="Policy check")
    page.add_init_script(SECURITY_EVENTS)
    page.goto(live_server.url + article.get_absolute_url())
    ran = page.evaluate(
        """() => {
      const script = document.createElement('script');
      script.textContent = 'window.__csp_ran = 1';
      document.head.append(script);
      const link = document.createElement('a');
      link.href = 'javascript:window.__csp_ran = 2';
      document.body.append(link);
      link.click();
      return window.__csp_ran;
    }"""
    )
    assert ran is None
    page.wait_for_function("window.__violations.length > 0")
    assert "script-src-elem" in page.evaluate("window.__violations") or "script-src" in page.evaluate(
        "window.__violations"
    )


def test_the_admin_change_form_runs_under_the_policy_without_violations(live_server, page, editor, client_for):
    from .factories import ArticleFactory

    article = ArticleFactory(bylines=[editor.author])
    page.context.add_cookies([staff_cookie(client_for("editor"), live_server)])
    page.add_init_script(SECURITY_EVENTS)
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/", wait_until="load")
    page.click(".field-section .select2-selection")
    page.wait_for_selector(".select2-container--open .select2-results__option")
    assert page.evaluate("window.__violations") == []
