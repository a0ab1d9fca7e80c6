"""An uncached list represents only the articles it has not represented before (content_api/
fragments.py), and never shows one as it was: each is kept by every value it is made of, so an
edit of the article, its author or its tags, another site address or another shape makes it anew."""

from unittest import mock

import pytest
from django.test import override_settings

from articles.models import Author, Tag
from content_api import fragments, representations

from .factories import make_article, make_author, tag

pytestmark = pytest.mark.django_db

LIST = "/api/v1/articles/?include=author,tags&limit=100"


@pytest.fixture(autouse=True)
def _nothing_kept():
    fragments.forget()
    yield
    fragments.forget()


@pytest.fixture
def five():
    jane = make_author(name="Jane", slug="jane")
    return [tag(make_article(slug=f"a{number}", author=jane), "cats") for number in range(5)]


class _Misses:
    """Each GET a page-cache miss (a parameter no view reads, new each time), counting the articles
    represented on the way."""

    def __init__(self, client):
        self.client, self.number, self.made = client, 0, 0

    def get(self, url=LIST, **headers):
        self.number += 1
        with mock.patch.object(representations, "article", wraps=representations.article) as made:
            response = self.client.get(f"{url}&miss={self.number}", headers=headers)
        assert response.status_code == 200, response.content
        self.made = made.call_count
        return response.json()["articles"]


def test_a_list_represents_only_articles_it_has_not_before(client, five):
    misses = _Misses(client)
    first = misses.get()
    assert len(first) == 5 and misses.made == 5
    assert misses.get() == first and misses.made == 0
    five[2].title = "Retitled"
    five[2].save()
    after = misses.get()
    assert misses.made == 1
    assert [each["title"] for each in after] == [
        "Retitled" if each["slug"] == "a2" else each["title"] for each in first
    ]


@pytest.mark.parametrize(
    "edit",
    [
        lambda five: Tag.objects.filter(slug="cats").update(name="Felines"),
        lambda five: tag(five[0], "dogs"),
        lambda five: Author.objects.filter(slug="jane").update(name="Janet"),
    ],
    ids=["tag renamed", "tag added", "author renamed"],
)
def test_an_edit_of_an_author_or_tag_is_shown_at_once(client, five, edit):
    """Even made behind the publishing events' back (update()): kept by value, never by id."""
    misses = _Misses(client)
    misses.get()
    edit(five)
    shown = misses.get()
    truth = _fresh(client)
    assert shown == truth and misses.made >= 1


def test_another_scheme_or_shape_is_represented_anew(client, five):
    misses = _Misses(client)
    plain = misses.get()
    secure = misses.get(**{"X-Forwarded-Proto": "https"})
    assert misses.made == 5
    assert plain[0]["url"].startswith("http://") and secure[0]["url"].startswith("https://")
    assert "tags" not in misses.get("/api/v1/articles/?include=author") and misses.made == 5


def test_bodies_are_not_kept_and_the_kept_are_bounded(client, five, monkeypatch):
    misses = _Misses(client)
    misses.get("/api/v1/articles/?formats=html")
    misses.get("/api/v1/articles/?formats=html")
    assert misses.made == 5 and len(fragments._kept) == 0
    monkeypatch.setattr(fragments, "KEPT", 3)
    misses.get()
    assert len(fragments._kept) == 3
    misses.get()
    assert misses.made == 2 and len(fragments._kept) == 3  # the two pushed out, made again


def test_a_changed_setting_forgets_them(client, five):
    misses = _Misses(client)
    misses.get()
    with override_settings(MEDIA_URL="/elsewhere/"):
        misses.get()
        assert misses.made == 5


def _fresh(client):
    fragments.forget()
    response = client.get(f"{LIST}&fresh=1")
    return response.json()["articles"]
