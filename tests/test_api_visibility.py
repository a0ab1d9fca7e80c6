"""The Content API shows only what readers may see: a draft, a scheduled and an expired article never
appear in any endpoint, count, filter result or pagination total, and authors and tags count only
public articles (one with none at all is not listed)."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from articles.models import Article, Status

from .factories import make_article, make_author, tag

pytestmark = pytest.mark.django_db

HIDDEN = ("a-draft", "a-scheduled", "an-expired")


@pytest.fixture
def hidden_beside_public(small_site):
    """small_site plus three hidden articles by Ann and by Hidden Hal (who wrote nothing public),
    tagged Cats and Secret (on nothing public)."""
    now = timezone.now()
    hal = make_author(name="Hidden Hal", slug="hal")
    for slug, author, fields in (
        ("a-draft", small_site.ann, {"status": Status.DRAFT}),
        ("a-scheduled", hal, {"published": now + timedelta(days=1)}),
        ("an-expired", hal, {"expires": now - timedelta(minutes=1)}),
    ):
        tag(make_article(slug=slug, title=f"Hidden {slug}", author=author, **fields), "Cats", "Secret")
    return small_site


def _slugs(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.content)
    body = response.json()
    kind = next(name for name in body if name != "meta")
    return [item["slug"] for item in body[kind]], body.get("meta", {}).get("pagination", {}).get("total")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/articles/",
        "/api/v1/articles/?limit=100&include=author,tags&formats=html,markdown,plaintext",
        "/api/v1/articles/?filter=tag:cats",
        "/api/v1/articles/?filter=tag:secret",
        "/api/v1/articles/?filter=author:ann",
        "/api/v1/articles/?filter=author:hal",
        "/api/v1/articles/?filter=slug:[a-draft,a-scheduled,an-expired]",
        "/api/v1/articles/?filter=published:>2000-01-01,published:<2100-01-01",
        "/api/v1/articles/?order=title asc",
    ],
)
def test_hidden_articles_are_in_no_list_filter_or_total(client, hidden_beside_public, url):
    slugs, total = _slugs(client, url)
    assert not set(slugs) & set(HIDDEN)
    assert total == len(slugs)
    assert "Hidden" not in client.get(url).content.decode()


@pytest.mark.parametrize("slug", HIDDEN)
def test_a_hidden_article_has_no_api_address(client, hidden_beside_public, slug):
    response = client.get(f"/api/v1/articles/{slug}/")
    assert response.status_code == 404
    assert response.json()["errors"][0]["message"]


def test_authors_and_tags_count_only_public_articles(client, hidden_beside_public):
    authors = {
        item["slug"]: item["count"]["articles"] for item in client.get("/api/v1/authors/").json()["authors"]
    }
    assert authors == {"ann": 3, "bob": 2}
    tags = {item["slug"]: item["count"]["articles"] for item in client.get("/api/v1/tags/").json()["tags"]}
    assert tags == {"cats": 2, "dogs": 1}
    assert client.get("/api/v1/authors/ann/").json()["authors"][0]["count"] == {"articles": 3}
    assert client.get("/api/v1/tags/cats/").json()["tags"][0]["count"] == {"articles": 2}
    assert client.get("/api/v1/authors/").json()["meta"]["pagination"]["total"] == 2


@pytest.mark.parametrize("url", ["/api/v1/authors/hal/", "/api/v1/tags/secret/"])
def test_an_author_or_tag_with_nothing_public_is_not_found(client, hidden_beside_public, url):
    assert client.get(url).status_code == 404


def test_publishing_the_draft_shows_it_everywhere(client, hidden_beside_public):
    """The same requests see it once it is public: the tests above fail for the right reason."""
    draft = Article.objects.get(slug="a-draft")
    draft.status = Status.PUBLISHED
    draft.save()
    assert "a-draft" in _slugs(client, "/api/v1/articles/?limit=100")[0]
    assert client.get("/api/v1/articles/a-draft/").status_code == 200
    assert client.get("/api/v1/tags/secret/").json()["tags"][0]["count"] == {"articles": 1}


def test_the_list_reads_the_clock_on_every_request(client, hidden_beside_public):
    """The list's queries are compiled once a process (articles/compiled_queries.py) with a stand-in
    for the time: a scheduled article joins the list, its total and a filter when its time comes,
    and one that expires leaves them, with no save in between."""
    make_article(slug="expiring", author=hidden_beside_public.ann, expires=timezone.now() + timedelta(days=1))
    urls = ("/api/v1/articles/?limit=100&include=tags", "/api/v1/articles/?filter=tag:cats")
    before = {url: _slugs(client, url) for url in urls}
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(days=2)):
        after = {url: _slugs(client, url) for url in urls}
    everything, cats = urls
    assert "expiring" in before[everything][0] and "a-scheduled" not in before[everything][0]
    assert "a-scheduled" in after[everything][0] and "expiring" not in after[everything][0]
    assert after[everything][1] == before[everything][1]  # one in, one out
    assert "a-scheduled" in after[cats][0] and after[cats][1] == before[cats][1] + 1
