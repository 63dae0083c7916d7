import pytest

from articles.rendering import render_body, sanitize


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="jAvAsCrIpT:alert(1)">x</a>',
        '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
        '<svg onload="alert(1)"></svg>',
        '<iframe src="javascript:alert(1)"></iframe>',
        '<iframe src="https://evil.example.com/embed"></iframe>',
        '<div style="background:url(javascript:alert(1))">x</div>',
        "<style>body{display:none}</style>",
        '<form action="https://evil.example.com"><input name=x></form>',
        '<object data="evil.swf"></object>',
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    ],
)
def test_nothing_active_survives_the_sanitizer(payload):
    html = render_body(payload)
    lowered = html.lower()
    for needle in ("<script", "onerror", "onload", "javascript:", "data:text", "<svg", "<style", "<form", "<object"):
        assert needle not in lowered
    assert "evil.example.com" not in lowered or "<iframe" not in lowered


def test_video_embeds_from_listed_hosts_pass_sandboxed():
    html = render_body('<iframe src="https://www.youtube-nocookie.com/embed/abc" title="Video"></iframe>')
    assert 'src="https://www.youtube-nocookie.com/embed/abc"' in html
    assert 'sandbox="allow-scripts allow-same-origin allow-presentation allow-popups"' in html


def test_embeds_from_other_hosts_lose_their_source():
    html = render_body('<iframe src="https://evil.example.com/embed"></iframe>')
    assert "evil.example.com" not in html


def test_legitimate_formatting_survives():
    html = render_body(
        'Some **bold**, _italic_ and [a link](https://example.org "Title").\n\n'
        "> A quote\n\n1. one\n2. two\n\n```python\nprint('hi')\n```\n\nA paragraph.\n{: .lead}"
    )
    assert "<strong>bold</strong>" in html
    assert "<em>italic</em>" in html
    assert '<a href="https://example.org" title="Title" rel="noopener noreferrer">a link</a>' in html
    assert "<blockquote>" in html
    assert "<ol>" in html
    assert '<code class="language-python">' in html
    assert '<p class="lead">A paragraph.</p>' in html


def test_sanitize_drops_unknown_classes():
    assert sanitize('<p class="skip-link lead">x</p>') == '<p class="lead">x</p>'
