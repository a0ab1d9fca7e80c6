"""RSS and Atom feeds, site-wide and per author and tag: the whole article, the real publication and
modification dates, ids that survive a slug change, and links on the configured domain."""

from datetime import timedelta
from email.utils import parsedate_to_datetime
from xml.etree import ElementTree

import pytest
from django.contrib.sites.models import Site
from django.core.management import call_command
from django.utils import timezone

from .factories import make_article, make_author, tag

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def _edited_article():
    """An article published a month ago and edited two days ago (whole seconds, as feeds write them)."""
    published = (timezone.now() - timedelta(days=30)).replace(microsecond=0)
    updated = (timezone.now() - timedelta(days=2)).replace(microsecond=0)
    return make_article(
        title="Edited",
        body="## Part\n\nThe **whole** text.",
        excerpt="Short.",
        created=published - timedelta(days=9),
        published=published,
        updated=updated,
    )


def test_rss_feed_has_full_content_and_modified_dates(client):
    article = _edited_article()
    response = client.get("/blog/feed.xml")
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ElementTree.fromstring(response.content).find("channel")
    item = channel.find("item")
    assert item.findtext("title") == "Edited"
    assert "<strong>whole</strong>" in item.findtext("description")
    assert item.findtext("link").endswith(article.get_absolute_url())
    assert parsedate_to_datetime(item.findtext("pubDate")) == article.published
    assert parsedate_to_datetime(channel.findtext("lastBuildDate")) == article.updated


def test_atom_feed_has_content_summary_and_updated_not_created(client):
    article = _edited_article()
    root = ElementTree.fromstring(client.get("/blog/atom.xml").content)
    entry = root.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}content").get("type") == "html"
    assert "<strong>whole</strong>" in entry.findtext(f"{ATOM}content")
    assert entry.findtext(f"{ATOM}summary") == "Short."
    assert entry.findtext(f"{ATOM}updated") == article.updated.isoformat()
    assert entry.findtext(f"{ATOM}published") == article.published.isoformat()
    assert root.findtext(f"{ATOM}updated") == article.updated.isoformat()


@pytest.mark.parametrize("kind", ["feed.xml", "atom.xml"])
def test_author_and_tag_feeds_are_filtered(client, kind):
    ada = make_author(slug="ada")
    tag(make_article(title="Ada on Go", author=ada), "Go")
    make_article(title="Someone else")
    for url in [f"/blog/author/ada/{kind}", f"/blog/tag/go/{kind}"]:
        body = client.get(url).content.decode()
        assert "Ada on Go" in body and "Someone else" not in body, url
    assert client.get(f"/blog/author/nobody/{kind}").status_code == 404
    assert client.get(f"/blog/tag/nothing/{kind}").status_code == 404


def test_feed_ids_survive_a_slug_change(client):
    def ids():
        rss = ElementTree.fromstring(client.get("/blog/feed.xml").content)
        atom = ElementTree.fromstring(client.get("/blog/atom.xml").content)
        return rss.findtext("channel/item/guid"), atom.findtext(f"{ATOM}entry/{ATOM}id")

    article = make_article(slug="before")
    before = ids()
    article.slug = "after"
    article.save()
    assert ids() == before
    assert before[0] == before[1] and before[0].startswith("urn:uuid:")


def test_feeds_use_the_configured_site_domain_not_example_com(client, settings):
    settings.SITE_DOMAIN = "news.example.org"
    call_command("migrate", verbosity=0)  # post_migrate sets the Site row
    assert Site.objects.get(pk=settings.SITE_ID).domain == "news.example.org"
    make_article(slug="dom")
    feed = client.get("/blog/feed.xml").content.decode()
    assert "http://news.example.org/blog/dom" in feed and "example.com" not in feed
