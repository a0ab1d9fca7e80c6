"""The reader's pages checked as a reader would: valid HTML (Nu HTML Checker, one Java
call for all pages), no WCAG 2 A/AA violations (axe-core in chromium), the table of contents and the
keyboard work, and no external script, style or font, at phone and desktop widths.

The checkers come from npm (package.json; `npm ci` puts them in node_modules/)."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from articles.models import Tag

from ..conftest import SEED_SLUG
from .conftest import DESKTOP, PHONE, axe_violations, require, screenshot

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

NODE_MODULES = Path(settings.BASE_DIR) / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
JAVA = shutil.which("java") or "/usr/bin/java"

# Every kind of reader page: article, list, author, tag, search and 404.
PAGES = {
    "article": f"/blog/{SEED_SLUG}",
    "list": "/blog/",
    "author": "/blog/author/innomize",
    "tag": "/blog/tag/outsourcing",
    "search": "/blog/search?q=outsourcing",
    "not-found": "/blog/no-such-article",
    # Translations of the seed: a French page and a right-to-left one (issue 13).
    "article-fr": "/blog/erreurs-a-eviter",
    "article-rtl": "/blog/akhtaa",
    "list-fr": "/blog/?lang=fr",
}
TRANSLATED_BODY = {
    "fr": "Introduction.\n\n## Premier point\n\nTexte.\n\n## Deuxième point\n\nTexte.\n\n## Troisième point\n\nTexte.\n",
    "ar": "مقدمة.\n\n## النقطة الأولى\n\nنص.\n\n## النقطة الثانية\n\nنص.\n\n## النقطة الثالثة\n\nنص.\n",
}


@pytest.fixture
def reader_pages(seed_article):
    """The seed article, tagged, with a French and an Arabic translation, so that every page in PAGES
    has content."""
    from ..factories import make_article

    tag, _ = Tag.objects.get_or_create(slug="outsourcing", defaults={"name": "Outsourcing"})
    seed_article.tags.add(tag)
    assert seed_article.author.slug == "innomize"
    seed_article.translation_key = "outsourcing-mistakes"
    seed_article.save()
    for slug, title, locale in [
        ("erreurs-a-eviter", "Erreurs à éviter", "fr"),
        ("akhtaa", "أخطاء يجب تجنبها", "ar"),
    ]:
        translation = make_article(
            slug=slug,
            title=title,
            body=TRANSLATED_BODY[locale],
            locale=locale,
            translation_key="outsourcing-mistakes",
            author=seed_article.author,
        )
        translation.tags.add(tag)
    return PAGES


def _console_errors(page, name):
    """Console errors, less the 404 page's own status line, which is the point of that page."""
    expected = "the server responded with a status of 404" if name == "not-found" else None
    return [e for e in page.console_errors if not (expected and expected in e)]


def _require_node_tool(path, name):
    require(Path("/usr/bin/node").exists() or shutil.which("node"), "Node (node)")
    require(path.exists(), f"{name} ({path.relative_to(settings.BASE_DIR)}; run npm ci)")


def _pictured_article():
    """An article with an uploaded lead image and a local body image, so that <picture>, srcset and
    sizes are validated too (not in the browser tests: test media is in memory, not served)."""
    from django.core.files.storage import default_storage

    from ..factories import make_article, uploaded_image

    chart = uploaded_image("chart.png", size=(1200, 675))
    body_image = default_storage.url(default_storage.save("articles/uploads/chart.png", chart))
    article = make_article(
        slug="pictured", body=f"Intro.\n\n![A chart]({body_image})\n\n```python\nx = 1\n```"
    )
    article.image = uploaded_image("lead.png", size=(1200, 675))
    article.save()
    return article.get_absolute_url()


def test_pages_are_valid_html(client, reader_pages, tmp_path):
    require(Path(JAVA).exists(), "Java (java)")
    _require_node_tool(VNU_JAR, "vnu-jar")
    files = []
    for name, url in {**reader_pages, "pictured": _pictured_article()}.items():
        response = client.get(url)
        assert response.status_code == (404 if name == "not-found" else 200), url
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        files.append(str(path))
    result = subprocess.run(
        [JAVA, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") == "error"
    ]
    assert errors == []
    assert result.returncode in (0, 1) and len(files) == len(PAGES) + 1
    assert 'dir="rtl"' in (tmp_path / "article-rtl.html").read_text()


@pytest.mark.parametrize("name", list(PAGES))
def test_pages_have_no_axe_violations(open_page, reader_pages, name):
    # The site's CSP rightly refuses injected inline scripts; only the test's own checker bypasses it.
    page = open_page(reader_pages[name], viewport=DESKTOP, bypass_csp=True)
    assert axe_violations(page) == []
    assert page.locator("h1").count() == 1
    assert page.locator("main").count() == 1 and page.locator("header.site-header").count() == 1
    assert page.locator("img:not([alt])").count() == 0
    assert _console_errors(page, name) == []


@pytest.mark.parametrize(("viewport_name", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
@pytest.mark.parametrize("name", list(PAGES))
def test_pages_render_cleanly_without_external_assets(open_page, reader_pages, name, viewport_name, viewport):
    page = open_page(reader_pages[name], viewport=viewport)
    assert _console_errors(page, name) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    # Only content images may leave loopback (the seed's is on a CDN); no script, style or font.
    external = page.external_requests
    assert all("res.cloudinary.com" in url for url in external), external
    screenshot(page, f"{name}-{viewport_name}")


@pytest.mark.parametrize(("viewport_name", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_table_of_contents_links_jump_to_their_headings(open_page, reader_pages, viewport_name, viewport):
    page = open_page(reader_pages["article"], viewport=viewport)
    links = page.locator(".toc a")
    assert links.count() >= 10
    for index in (0, 3, links.count() - 1):
        link = links.nth(index)
        target = link.get_attribute("href")
        link.click()
        page.wait_for_function("hash => location.hash === hash", arg=target)
        heading = page.locator(f"[id='{target[1:]}']")
        assert heading.evaluate("h => /^H[2-6]$/.test(h.tagName)")
        box = heading.evaluate("h => { const r = h.getBoundingClientRect(); return [r.top, r.bottom]; }")
        assert 0 <= box[0] < viewport["height"] and box[1] > 0, (target, box)
    screenshot(page, f"article-toc-jump-{viewport_name}")


def test_keyboard_reaches_every_link_and_focus_is_visible(open_page, reader_pages):
    page = open_page(reader_pages["article"], viewport=DESKTOP)
    links = page.evaluate("""() => [...document.querySelectorAll('a[href]')]
        .filter(a => a.getClientRects().length || a.classList.contains('skip-link'))
        .map(a => a.getAttribute('href'))""")
    reached, outlines = [], set()
    for _ in range(len(links) + 20):
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => { const e = document.activeElement;
            return e && e.tagName === 'A' ? [e.getAttribute('href'), getComputedStyle(e).outlineStyle] : null; }""")
        if focused:
            reached.append(focused[0])
            outlines.add(focused[1])
    assert set(links) <= set(reached), set(links) - set(reached)
    assert reached[0] == "#content"  # the skip link comes first
    assert outlines == {"solid"}  # every focused link shows the focus ring
    page.keyboard.press("Shift+Tab")
    screenshot(page, "article-keyboard-focus")
