"""Rendering a post body's Liquid as Jekyll does, in a sandbox; no database (like tests/test_jekyll_reading.py).

Includes come from the site's ``_includes/`` and nowhere else; hostile includes (endless loops, huge output,
paths out of the folder, script) are stopped or cleaned, each with a warning, and the post still renders.
"""

from pathlib import Path

import pytest

from articles.jekyll import links
from articles.jekyll.liquid import Renderer
from articles.jekyll.reading import Reader, read_post

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"


def site_with(tmp_path, includes=None, config="title: The Voice\nurl: https://voice.example.org\nbaseurl: /blog\n"):
    (tmp_path / "_config.yml").write_text(config)
    for name, text in (includes or {}).items():
        path = tmp_path / "_includes" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def render(site, body, front="title: A post\ntags: [bridge, photos]\ncategories: [news]\n", posts=None):
    path = site / "_posts" / "2024-03-03-a-post.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{front}---\n{body}")
    [entry] = Reader().discover([path])
    post = read_post(entry)
    known = posts if posts is not None else {"2024-03-01-first": "/news/first/"}

    def resolve(name):
        name = name.removeprefix("_posts/").rsplit(".", 1)[0] if name.startswith("_posts/") else name
        return known.get(name)

    result = Renderer(post.site, resolve).render(post.body, post.page)
    return links.replace_placeholders(result.text, result.post_links), [str(w) for w in result.warnings]


def test_variables_filters_and_control_flow_render_as_jekyll_renders_them(tmp_path):
    site = site_with(tmp_path)
    text, warnings = render(
        site,
        "{{ page.title | upcase }} in {{ site.title }}: "
        "{% for tag in page.tags %}{{ tag }}{% unless forloop.last %}, {% endunless %}{% endfor %}"
        "{% if page.tags contains 'photos' %} (gallery){% endif %}; {{ page.date | date: '%-d %B %Y' }}; "
        "{{ 'Hello World' | slugify }}; {{ '<a & b>' | xml_escape }}; {{ page.tags | jsonify }}; "
        "{{ page.date | date_to_long_string }}; {{ '/x/' | absolute_url }}",
    )
    assert text == (
        'A POST in The Voice: bridge, photos (gallery); 3 March 2024; hello-world; &lt;a &amp; b&gt;; ["bridge", '
        '"photos"]; 03 March 2024; https://voice.example.org/blog/x/'
    )
    assert warnings == []


def test_highlight_becomes_fenced_code_and_raw_stays_as_written(tmp_path):
    text, warnings = render(
        site_with(tmp_path),
        "Code:\n\n{% highlight python linenos %}\nprint('{{ page.title }}')\n{% endhighlight %}\n\n"
        "Shown: {% raw %}{{ page.title }}{% endraw %}{% comment %}{% nonsense %}{% endcomment %}",
    )
    assert text == "Code:\n\n```python\nprint('A post')\n```\n\nShown: {{ page.title }}"
    assert warnings == []


def test_an_include_takes_quoted_and_variable_parameters(tmp_path):
    site = site_with(
        tmp_path, {"figure.html": '<figure><img src="{{ include.src | relative_url }}" alt="{{ include.alt }}">'
                                  "<figcaption>{{ include.caption | default: page.title }}</figcaption></figure>"}
    )  # fmt: skip
    text, warnings = render(site, '{% include figure.html src="/a.jpg" alt=page.title %}')
    assert text == '<figure><img src="/blog/a.jpg" alt="A post"><figcaption>A post</figcaption></figure>'
    assert warnings == []


def test_nested_includes_render_and_markdownify_goes_through_the_sanitizer(tmp_path):
    site = site_with(
        tmp_path,
        {
            "note.html": "<aside>{% include label.html kind=include.kind %} {{ include.text | markdownify }}</aside>",
            "label.html": "<strong>{{ include.kind | capitalize }}:</strong>",
        },
    )
    text, warnings = render(site, '{% include note.html kind="update" text="It is **done** <script>x</script>" %}')
    assert text.startswith("<aside><strong>Update:</strong> <p>It is <strong>done</strong>")
    assert "<script" not in text
    assert warnings == []


def test_a_missing_include_is_kept_as_text_with_a_warning(tmp_path):
    text, warnings = render(site_with(tmp_path, {"a.html": "A"}), "Before {% include gone.html x=1 %} after")
    assert text == "Before {% include gone.html x=1 %} after"
    assert warnings == ["{% include gone.html x=1 %}: no such file in _includes/; kept as text"]


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "../_config.yml", "sub/../../_config.yml"])
def test_an_include_outside_the_includes_folder_is_refused(tmp_path, name):
    text, warnings = render(site_with(tmp_path, {"a.html": "A"}), f"{{% include {name} %}}")
    assert "root:" not in text and "title:" not in text
    assert text == f"{{% include {name} %}}"
    assert warnings == [f"{{% include {name} %}}: refused: only files inside _includes/ may be included; kept as text"]


def test_a_link_out_of_the_includes_folder_is_refused(tmp_path):
    site = site_with(tmp_path, {"a.html": "A"})
    (site / "_includes" / "escape.html").symlink_to(site / "_config.yml")
    text, warnings = render(site, "{% include escape.html %}")
    assert text == "{% include escape.html %}" and "refused" in warnings[0]


@pytest.mark.parametrize(
    ("include", "reason"),
    [
        ("{% for i in (1..1000000000) %}x{% endfor %}", "loop iteration limit"),
        ("{% for i in (1..1000) %}{% for j in (1..1000) %}x{% endfor %}{% endfor %}", "loop iteration limit"),
        ("{% include loop.html %}", "nested more than 10 deep"),
        ('{% for i in (1..5000) %}{{ "xxxxxxxxxx" | append: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'
         'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'
         'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'
         'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'
         'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'
         'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'
         'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'
         'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'
         'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" }}{% endfor %}',
         "output stream limit"),
        ('{% assign s = "xxxxxxxxxxxxxxxx" %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s }}',
         "local namespace limit"),
    ],
)  # fmt: skip
def test_a_hostile_include_is_stopped_and_kept_as_text(tmp_path, include, reason):
    site = site_with(tmp_path, {"bad.html": include, "loop.html": "again {% include loop.html %}"})
    text, warnings = render(site, "Before\n\n{% include bad.html %}\n\nAfter")
    assert text == "Before\n\n{% include bad.html %}\n\nAfter"
    assert len(warnings) == 1 and "{% include bad.html %}: stopped" in warnings[0] and reason in warnings[0]


def test_many_loops_in_a_row_are_stopped_in_all(tmp_path):
    body = "{% for i in (1..9000) %}{% endfor %}" * 20 + "\n\ndone"
    text, warnings = render(site_with(tmp_path), body)
    assert text == body
    assert warnings == ["Liquid not rendered (loop iteration limit reached); kept as text"]


def test_script_in_an_include_is_removed_with_a_warning(tmp_path):
    site = site_with(
        tmp_path,
        {
            "evil.html": '<p onclick="steal()">Hi</p><script>steal()</script><a href="javascript:steal()">x</a>'
            '<iframe src="https://evil.example/embed/1"></iframe>'
            '<iframe src="https://www.youtube.com/embed/aqz-KE-bpKQ"></iframe>'
        },
    )
    text, warnings = render(site, "{% include evil.html %}")
    assert "steal" not in text and "evil.example" not in text and "<script" not in text
    assert '<iframe src="https://www.youtube.com/embed/aqz-KE-bpKQ"' in text
    assert warnings == [
        "{% include evil.html %}: removed <iframe>, <script>, event handler attributes, script addresses from its "
        "output"
    ]


def test_unknown_tags_filters_and_variables_stay_as_text_with_a_warning(tmp_path):
    text, warnings = render(
        site_with(tmp_path),
        "{% gallery id=3 %} {{ page.title | shout }} {{ settings.SECRET_KEY }} {% seo %} {{ page.title }}",
    )
    assert text == "{% gallery id=3 %} {{ page.title | shout }} {{ settings.SECRET_KEY }} {% seo %} A post"
    assert warnings == [
        "Liquid tag {% gallery %} is not supported: {% gallery id=3 %} kept as text",
        "Liquid filter “shout” is not supported: {{ page.title | shout }} kept as text",
        "Liquid variable “settings” is not defined: {{ settings.SECRET_KEY }} kept as text",
        "Liquid tag {% seo %} is not supported: {% seo %} kept as text",
    ]


def test_a_post_url_to_no_imported_post_is_kept_as_text(tmp_path):
    text, warnings = render(site_with(tmp_path), "[x]({% post_url 1999-01-01-gone %})", posts={})
    assert text == "[x]({% post_url 1999-01-01-gone %})"
    assert warnings == ["{% post_url 1999-01-01-gone %}: no imported post of that name; kept as text"]


@pytest.mark.parametrize("baseurl", ["", "/blog"])
@pytest.mark.parametrize(
    "link",
    [
        "{% post_url 2024-03-01-first %}",
        "{{ site.baseurl }}{% post_url 2024-03-01-first %}",
        "{{ site.url }}{{ site.baseurl }}{% post_url 2024-03-01-first %}",
        "{% link _posts/2024-03-01-first.md %}",
        "{{ site.baseurl }}{% link _posts/2024-03-01-first.md %}",
        "{% capture u %}{% post_url 2024-03-01-first %}{% endcapture %}{{ u | relative_url }}",
        "{% capture u %}{% link _posts/2024-03-01-first.md %}{% endcapture %}{{ u | absolute_url }}",
    ],
)
def test_a_post_link_becomes_the_new_address_whatever_surrounds_it(tmp_path, baseurl, link):
    site = site_with(tmp_path, config=f"url: https://voice.example.org\nbaseurl: {baseurl}\n")
    text, warnings = render(site, f'[first]({link}#more) and <a href="{link}">again</a>')
    assert text == '[first](/news/first/#more) and <a href="/news/first/">again</a>'
    assert warnings == []


def test_the_liquid_sample_site_renders_without_warnings():
    site = SAMPLES / "jekyll-liquid-site"
    if not site.is_dir():
        pytest.skip("shared samples not present")
    for entry in Reader().discover([site]):
        post = read_post(entry)
        result = Renderer(post.site, lambda name: "/news/x/").render(post.body, post.page)
        assert result.warnings == [], entry.key
        assert "{%" not in result.text and "{{" not in result.text


def test_a_statement_that_fails_is_left_out_with_a_warning_and_the_rest_renders(tmp_path):
    text, warnings = render(site_with(tmp_path), "{% assign n = 3 %}{{ n | plus: 2 }} {{ n | divided_by: 0 }}after")
    assert text == "5 after"
    assert warnings == ["Liquid error in divided_by (divided_by: can't divide by 0); left out"]


def test_broken_liquid_keeps_the_body_as_written(tmp_path):
    text, warnings = render(site_with(tmp_path), "Costs {{ unclosed")
    assert text == "Costs {{ unclosed"
    assert warnings == ["Liquid not rendered (expected '}}', found end of file); kept as text"]


def test_highlight_inside_an_include_is_escaped_html_code(tmp_path):
    site = site_with(tmp_path, {"code.html": "{% highlight html %}<b>x</b> & y{% endhighlight %}"})
    text, warnings = render(site, "{% include code.html %}")
    assert text == '<pre><code class="language-html">&lt;b&gt;x&lt;/b&gt; &amp; y</code></pre>'
    assert warnings == []
