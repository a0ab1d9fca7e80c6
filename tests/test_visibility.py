"""Who sees what. Readers see an article only while it is public (published, its time passed, not
expired) and then on every public surface; staff may preview the rest, and that preview is never
cached, indexed, or leaked onto a public surface."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from articles.models import Status
from articles.roles import EDITORS_GROUP

from .factories import make_article, make_author, tag

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
HIDDEN_URL = "/blog/hidden-one"
# Every page a reader, a feed reader or a crawler gets articles from. "neighbour's page" is a public
# article's page, whose previous/next links must skip a hidden article.
SURFACES = {
    "article page": HIDDEN_URL,
    "neighbour's page": "/blog/visible",
    "list": "/blog/",
    "author page": "/blog/author/shared",
    "tag page": "/blog/tag/shared",
    "search": "/blog/search?q=marmalade",
    "RSS": "/blog/feed.xml",
    "Atom": "/blog/atom.xml",
    "JSON Feed": "/blog/feed.json",
    "author RSS": "/blog/author/shared/feed.xml",
    "author Atom": "/blog/author/shared/atom.xml",
    "tag RSS": "/blog/tag/shared/feed.xml",
    "tag Atom": "/blog/tag/shared/atom.xml",
    "sitemap": "/sitemap-articles-1.xml",
}
# The ways an article is kept from readers, with what the staff preview banner says about each.
KINDS = {
    "draft": "This is a draft.",
    "unscheduled": "Readers cannot see this article.",
    "scheduled": "Scheduled for",
    "expired": "Readers cannot see this article.",
}


def _hidden(kind, now):
    """Field values that keep an otherwise ordinary article from readers."""
    return {
        "draft": {"status": Status.DRAFT, "published": now - DAY},
        "unscheduled": {"published": None},
        "scheduled": {"published": now + DAY},
        "expired": {"published": now - DAY, "expires": now - timedelta(minutes=1)},
    }[kind]


def _make_public(article, kind, now, monkeypatch):
    """What makes each kind public: an editor's save, or, for a scheduled article, only time passing."""
    if kind == "scheduled":
        monkeypatch.setattr(timezone, "now", lambda: now + 2 * DAY)
        return
    if kind == "draft":
        article.status = Status.PUBLISHED
    elif kind == "unscheduled":
        article.published = now - DAY
    else:
        article.expires = None
    article.save()


def _hidden_beside_a_visible_article(kind, now):
    """A hidden article sharing its author, tag and search word with a public one, so that every
    surface exists and shows something whether or not the hidden article is on it."""
    author = make_author(slug="shared")
    body = "A note on marmalade."
    tag(make_article(slug="visible", author=author, body=body, published=now - 2 * DAY), "Shared")
    hidden = make_article(
        slug="hidden-one", title="Hidden article", author=author, body=body, **_hidden(kind, now)
    )
    return tag(hidden, "Shared")


def _shows_hidden(client, url):
    """Whether the page at `url` shows the hidden article (its title or a link to it)."""
    response = client.get(url)
    body = response.content.decode()
    if url == HIDDEN_URL:
        assert response.status_code in (200, 404)
        return response.status_code == 200 and "Hidden article" in body
    # The surface works: it answers and lists the public article, hidden one or not.
    assert response.status_code == 200 and "/blog/visible" in body, url
    return "Hidden article" in body or HIDDEN_URL in body


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("surface", SURFACES)
def test_article_is_on_a_public_surface_exactly_while_it_is_public(client, monkeypatch, surface, kind):
    now = timezone.now()
    article = _hidden_beside_a_visible_article(kind, now)
    assert not _shows_hidden(client, SURFACES[surface])
    _make_public(article, kind, now, monkeypatch)
    assert _shows_hidden(client, SURFACES[surface])
    # An editor hides it again: it leaves the surface at once, whatever was cached.
    for field, value in _hidden(kind, timezone.now()).items():
        setattr(article, field, value)
    article.save()
    assert not _shows_hidden(client, SURFACES[surface])


@pytest.mark.parametrize("kind", KINDS)
def test_staff_preview_of_an_article_readers_cannot_see(client, editor, kind):
    _hidden_beside_a_visible_article(kind, timezone.now())
    assert client.get(HIDDEN_URL).status_code == 404

    client.force_login(editor)
    response = client.get(HIDDEN_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Preview: not public." in html and KINDS[kind] in html
    assert '<meta name="robots" content="noindex">' in html
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control
    # Previewing it puts it on no public surface, not even for the editor.
    for surface, url in SURFACES.items():
        if url != HIDDEN_URL:
            assert not _shows_hidden(client, url), surface


def test_public_article_shows_no_banner_to_staff(client, editor):
    article = make_article()
    client.force_login(editor)
    response = client.get(article.get_absolute_url())
    assert "Preview: not public" not in response.content.decode()
    assert "no-store" not in response.get("Cache-Control", "")


def test_logged_in_reader_without_permission_gets_404_for_a_draft(client, reader):
    article = make_article(status=Status.DRAFT)
    client.force_login(reader)
    assert client.get(article.get_absolute_url()).status_code == 404
    reader.groups.add(Group.objects.get(name=EDITORS_GROUP))  # the permission, but no staff status
    assert client.get(article.get_absolute_url()).status_code == 404
