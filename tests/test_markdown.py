"""render(): CommonMark + GFM, one <h1> rule, and the sanitizer. No database."""

import re

import pytest

from articles import markdown
from articles.markdown import first_image_url, outline

_PERMALINK = re.compile(r' <a class="header-anchor" href="#[^"]*" aria-label="[^"]*">#</a>')


def render(text, title=None):
    """The renderer's output without heading permalinks, which have tests of their own below."""
    return _PERMALINK.sub("", markdown.render(text, title=title))


def test_commonmark_and_gfm_features():
    html = render(
        "Text with ~~strike~~ and a note[^1].\n\n"
        "| a | b |\n|:--|--:|\n| 1 | 2 |\n\n"
        "```python\nprint('hi')\n```\n\n"
        "[^1]: The note.\n"
    )
    assert "<s>strike</s>" in html
    assert '<th style="text-align:left">a</th>' in html
    assert '<td style="text-align:right">2</td>' in html
    assert '<code class="language-python">' in html
    assert 'id="fn1"' in html and 'href="#fn1"' in html


def test_headings_get_unique_ids():
    html = render("## Section One\n\n### 1. Sub point\n\n## Section One")
    assert '<h2 id="section-one">Section One</h2>' in html
    assert '<h3 id="1-sub-point">1. Sub point</h3>' in html
    assert '<h2 id="section-one-1">' in html


def _heading_levels(html):
    return [int(level) for level in re.findall(r"<h([1-6])\b", html)]


@pytest.mark.parametrize(
    ("markdown", "levels"),
    [
        # The seed's shape: sections (##) with numbered points (####) under them.
        ("## Mistakes\n\n#### 1. One\n\n#### 2. Two\n\n## Summary", [2, 3, 3, 2]),
        # A body that starts deep still starts below the title, and what is under what is kept.
        ("#### Deep\n\n###### Deeper\n\n#### Deep again\n\n## Top", [2, 3, 2, 2]),
        ("## A\n\n### B\n\n##### C\n\n#### D\n\n## E\n\n###### F", [2, 3, 4, 4, 2, 3]),
        # Raw HTML headings too, and an <h1> that is not the title.
        ("<h1>Raw</h1>\n\n<h4>Raw point</h4>\n\n## Markdown", [2, 3, 2]),
    ],
)
def test_body_headings_skip_no_level(markdown, levels):
    html = render(markdown, title="The title")
    assert _heading_levels(html) == levels
    assert re.findall(r"</h([1-6])>", html) == [str(level) for level in levels]  # each closes as it opened


def test_closing_the_gaps_keeps_ids_and_the_outline_follows():
    html = markdown.render("## Costs\n\n#### Hidden costs\n\nText.")
    assert '<h3 id="hidden-costs">Hidden costs <a class="header-anchor" href="#hidden-costs"' in html
    assert [(h["level"], h["id"]) for h in outline(html)[0]] == [(2, "costs"), (3, "hidden-costs")]


def test_leading_h1_equal_to_title_is_dropped():
    html = render("# My  Title\n\nIntro.\n\n## Part", title="My Title")
    assert "<h1" not in html and "My  Title" not in html
    assert "<p>Intro.</p>" in html


def test_other_h1_becomes_h2():
    html = render("# Something else\n\nText\n\n# Later", title="My Title")
    assert "<h1" not in html
    assert '<h2 id="something-else">Something else</h2>' in html
    assert '<h2 id="later">Later</h2>' in html


def test_h1_equal_to_title_later_in_body_is_demoted_not_dropped():
    html = render("Intro.\n\n# My Title", title="My Title")
    assert '<h2 id="my-title">My Title</h2>' in html


@pytest.mark.parametrize(
    ("markdown", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ("<img src=x onerror=alert(1)>", "onerror"),
        ('<a href="javascript:alert(1)">x</a>', "javascript:"),
        ("[x](javascript:alert(1))", 'href="javascript'),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', 'alert(1)"'),
        ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', "data:"),
        ('<img src="data:image/svg+xml;base64,PHN2Zz4=">', "data:"),
        ('<iframe src="https://evil.example"></iframe>', "<iframe"),
        ("<style>body{display:none}</style>", "<style"),
        ('<p style="position:fixed;top:0">x</p>', "position"),
        ('<div onclick="x()">x</div>', "onclick"),
        ("<svg><script>alert(1)</script></svg>", "<svg"),
        ('<form action="/x"><input type="text"></form>', "<form"),
        ('<p class="skip-link">x</p>', "skip-link"),
        ('<object data="x.swf"></object>', "<object"),
    ],
)
def test_hostile_markdown_is_inert(markdown, forbidden):
    html = render(markdown)
    assert forbidden.lower() not in html.lower()


def test_external_links_get_noopener_internal_do_not():
    html = render("[out](https://example.com/a) [in](/blog/x) [frag](#part)")
    assert '<a rel="noopener" href="https://example.com/a">out</a>' in html
    assert '<a href="/blog/x">in</a>' in html
    assert '<a href="#part">frag</a>' in html


def test_raw_html_allowed_subset_survives():
    html = render(
        '<figure><img src="https://x.example/a.png" alt="A cat"><figcaption>Cap</figcaption></figure>'
    )
    assert '<img loading="lazy" src="https://x.example/a.png" alt="A cat">' in html
    assert "<figcaption>Cap</figcaption>" in html


def test_first_image_url():
    html = render("Text\n\n![](https://x.example/a.png?x=1&y=2)\n\n![](https://x.example/b.png)")
    assert first_image_url(html) == "https://x.example/a.png?x=1&y=2"
    assert first_image_url(render("no images")) == ""


def test_nothing_carries_over_from_one_render_to_the_next():
    """One parser serves every call: heading ids, footnote numbers and the title start afresh."""
    markdown.render("# T\n\n## Part\n\nA note[^1] and another[^2].\n\n[^1]: x\n[^2]: y", title="T")
    html = render("# T\n\n## Part\n\nOne note[^1].\n\n[^1]: z")
    assert '<h2 id="t">T</h2>' in html  # the last call's title is not this one's
    assert '<h2 id="part">Part</h2>' in html  # not part-1
    assert 'href="#fn1" id="fnref1"' in html and 'id="fn2"' not in html


def test_only_a_leading_h1_is_dropped_not_an_h2_or_setext_h2():
    assert render("## My Title\n\nx", title="My Title").startswith('<h2 id="my-title">My Title</h2>')
    assert render("My Title\n========\n\nx", title="My Title") == "<p>x</p>\n"
    assert render("My Title\n--------\n\nx", title="My Title").startswith("<h2")


def test_headings_get_a_named_permalink():
    html = markdown.render("## Costs *and* `risks`")
    assert html.strip() == (
        '<h2 id="costs-and-risks">Costs <em>and</em> <code>risks</code> '
        '<a class="header-anchor" href="#costs-and-risks" '
        'aria-label="Link to section: Costs and risks">#</a></h2>'
    )


def test_fenced_code_is_highlighted_with_prefixed_pygments_classes():
    html = markdown.render("```python\ndef f():\n    return '<x>'\n```")
    assert '<code class="language-python"><span class="hl-k">def</span>' in html
    assert "<span class=\"hl-s1\">'&lt;x&gt;'</span>" in html  # a string token, still escaped


def test_unknown_language_is_plain_escaped_code():
    html = markdown.render("```nosuchlang\na<b\n```")
    assert html.strip() == '<pre><code class="language-nosuchlang">a&lt;b\n</code></pre>'


def test_content_cannot_use_the_site_classes_but_keeps_highlight_ones():
    html = markdown.render('<p class="skip-link hl-k header-anchor">x</p>')
    assert 'class="hl-k header-anchor"' in html


def test_outline_lists_headings_without_permalinks_and_counts_words():
    html = markdown.render("## One\n\n" + "word " * 460 + "\n\n### Two & three\n\nend")
    headings, minutes = outline(html)
    assert headings == [
        {"level": 2, "id": "one", "text": "One"},
        {"level": 3, "id": "two-three", "text": "Two & three"},
    ]
    assert minutes == 3  # 466 words at 230 a minute, rounded up
    assert outline("") == ([], 0)
