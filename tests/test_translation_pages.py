"""A translated article's page: a language switcher, reciprocal hreflang links with x-default,
og:locale alternates, lang and dir from the article, one query more and no more, and pages that
follow their translations' changes through the page cache."""

from datetime import UTC

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article

from .factories import make_article
from .html import links, metas, parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def trio():
    """One article in English, French and Arabic, and an article in no set. Others between them in
    the public order, so that no version is another's neighbour (whose pages change with it anyway)."""
    english = make_article(slug="hello", title="Hello", translation_key="greeting")
    make_article(), make_article()
    french = make_article(slug="bonjour", title="Bonjour", translation_key="greeting", locale="fr")
    make_article(), make_article()
    arabic = make_article(slug="marhaba", title="مرحبا", translation_key="greeting", locale="ar")
    make_article(slug="draft-de", translation_key="greeting", locale="de", status="draft")
    alone = make_article(slug="alone", title="Alone")
    return english, french, arabic, alone


def alternates(html):
    return {
        a["hreflang"]: a["href"] for tag, a in parse(html).elements if tag == "link" and a.get("hreflang")
    }


def test_every_page_of_a_set_links_every_public_version_and_the_same_x_default(client, trio):
    english, french, arabic, _ = trio
    expected = {
        "en": "http://testserver/blog/hello",
        "fr": "http://testserver/blog/bonjour",
        "ar": "http://testserver/blog/marhaba",
        "x-default": "http://testserver/blog/hello",  # the version in the site's language
    }
    for version in (english, french, arabic):
        html = client.get(version.get_absolute_url()).content.decode()
        assert alternates(html) == expected  # reciprocal: the same set from every page; no draft
        assert metas(html)["og:locale"] == version.language
        locale_alternates = [
            a["content"] for _, a in parse(html).elements if a.get("property") == "og:locale:alternate"
        ]
        assert sorted(locale_alternates) == sorted({"en", "fr", "ar"} - {version.language})


def test_the_switcher_names_each_language_in_itself(client, trio):
    html = client.get("/blog/hello").content.decode()
    page = parse(html)
    switcher = [a for tag, a in page.elements if tag == "a" and a.get("hreflang")]
    assert [(a["href"], a["lang"]) for a in switcher] == [("/blog/marhaba", "ar"), ("/blog/bonjour", "fr")]
    assert "العربيّة" in html and "français" in html.lower()
    assert 'aria-current="page" lang="en">English<' in html


def test_the_page_takes_the_articles_language_and_direction(client, trio):
    for slug, lang, direction in [("hello", "en", "ltr"), ("bonjour", "fr", "ltr"), ("marhaba", "ar", "rtl")]:
        root = parse(client.get(f"/blog/{slug}").content.decode()).elements[0]
        assert root == ("html", {"lang": lang, "dir": direction})


def test_an_article_in_no_set_has_no_alternates(client, trio):
    html = client.get("/blog/alone").content.decode()
    assert alternates(html) == {} and 'class="translations"' not in html


def test_a_translated_page_costs_one_query_more(client, trio):
    def queries(url):
        client.get(url)  # warm: sessions, content types
        from articles.page_cache import invalidate

        invalidate({"site"})
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    assert queries("/blog/hello") == queries("/blog/alone") + 1


def test_a_translations_new_address_reaches_the_other_cached_pages(
    client, trio, django_capture_on_commit_callbacks
):
    _, french, _, _ = trio
    client.get("/blog/hello"), client.get("/blog/alone")  # both cached now
    with django_capture_on_commit_callbacks(execute=True):
        french = Article.objects.get(pk=french.pk)
        french.slug = "bonjour-a-tous"
        french.save()
    assert (
        alternates(client.get("/blog/hello").content.decode())["fr"]
        == "http://testserver/blog/bonjour-a-tous"
    )
    assert links(client.get("/blog/alone").content.decode(), "canonical") == ["http://testserver/blog/alone"]


def test_a_french_article_speaks_french_and_an_english_one_english(client, db):
    from datetime import datetime

    body = "Texte.\n\n## Un\n\nA.\n\n## Deux\n\nB.\n\n## Trois\n\nC.\n"
    published = datetime(2024, 3, 1, 12, tzinfo=UTC)
    make_article(slug="fr-page", title="Page", body=body, locale="fr", published=published)
    make_article(slug="en-page", title="Page", body=body, published=published)
    french = client.get("/blog/fr-page").content.decode()
    for words in ("1 mars 2024", "1 min de lecture", ">Sommaire<", "Aller au contenu", "Tous les articles"):
        assert words in french
    english = client.get("/blog/en-page").content.decode()
    for words in ("March 1, 2024", "1 min read", ">Contents<", "Skip to content", "All articles"):
        assert words in english
    assert "Sommaire" not in english
    # The list pages stay in the site's language.
    assert "All articles" in client.get("/blog/").content.decode()


def test_the_committed_french_catalog_is_compiled_from_its_source():
    """django.mo is what Django reads; django.po is what translators edit: `make messages` keeps
    them together. Every translated message of the .po must come out of the .mo as written."""
    import ast
    import gettext
    import re

    from django.conf import settings

    folder = settings.BASE_DIR / "locale" / "fr" / "LC_MESSAGES"
    source = (folder / "django.po").read_text(encoding="utf-8")
    compiled = gettext.GNUTranslations((folder / "django.mo").open("rb"))
    entries = re.findall(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)', source + "\n", re.M)
    assert len(entries) > 20
    for msgid, msgstr in entries:
        msgid, msgstr = (
            "".join(ast.literal_eval(part) for part in text.split("\n") if part) for text in (msgid, msgstr)
        )
        if msgid and msgstr:
            assert compiled.gettext(msgid) == msgstr


@pytest.fixture
def bilingual(db):
    """21 French and 3 English articles (one with no locale: the site's language), by Ann."""
    from .factories import make_author, tag

    ann = make_author(name="Ann", slug="ann")
    french = [
        tag(make_article(slug=f"fr-{n}", locale="fr", author=ann, body="le chat"), "chats") for n in range(21)
    ]
    english = [
        tag(make_article(slug=f"en-{n}", locale="en", author=ann, body="the cat"), "chats") for n in range(2)
    ]
    english.append(tag(make_article(slug="en-site", author=ann, body="the cat"), "chats"))
    return french, english


def slugs_on(client, url):
    page = parse(client.get(url).content.decode())
    return {
        a["href"].rsplit("/", 1)[1]
        for tag, a in page.elements
        if tag == "a"
        and "/blog/" in a.get("href", "")
        and a["href"].rsplit("/", 1)[1].startswith(("fr-", "en-"))
    }


@pytest.mark.parametrize("list_url", ["/blog/", "/blog/author/ann", "/blog/tag/chats"])
def test_lists_narrowed_to_one_language_keep_it_from_page_to_page(client, bilingual, list_url):
    french, english = bilingual
    assert slugs_on(client, f"{list_url}?lang=en") == {article.slug for article in english}
    first = client.get(f"{list_url}?lang=fr").content.decode()
    assert "(français)" in first and "Plus ancien" in first  # it speaks French
    assert slugs_on(client, f"{list_url}?lang=fr") == {article.slug for article in french[:20]}
    (older,) = [a["href"] for tag, a in parse(first).elements if tag == "a" and a.get("rel") == "next"]
    assert older.startswith("?lang=fr&before=")
    assert slugs_on(client, f"{list_url}{older}") == {article.slug for article in french[20:]}


def test_search_and_feeds_narrowed_to_one_language(client, bilingual):
    _, english = bilingual
    assert slugs_on(client, "/blog/search?q=cat&lang=en") == {article.slug for article in english}
    assert slugs_on(client, "/blog/search?q=cat&lang=fr") == set()
    for feed in ("/blog/feed.xml?lang=en", "/blog/atom.xml?lang=en"):
        body = client.get(feed).content.decode()
        assert "/blog/en-site" in body and "/blog/fr-" not in body
        assert "lang=en" in body  # the feed's own address says so
    assert "/blog/fr-0" in client.get("/blog/feed.xml?lang=fr").content.decode()


@pytest.mark.parametrize("code", ["xx", "fr<script>", "e"])
def test_an_unknown_language_is_no_page(client, bilingual, code):
    for url in ("/blog/", "/blog/feed.xml", "/blog/search?q=cat&"):
        assert client.get(f"{url}{'&' if '?' in url else '?'}lang={code}").status_code == 404
