"""RSS and Atom feeds, site-wide and per author and tag, and the JSON Feed: the whole article, the real publication and
modification dates, ids that survive a slug change, and links on the configured domain."""

import json
import re
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from xml.etree import ElementTree

import pytest
from django.contrib.sites.models import Site
from django.core.management import call_command
from django.utils import timezone

from articles.models import Status

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


def _json_feed(client):
    response = client.get("/blog/feed.json")
    assert response["Content-Type"] == "application/feed+json; charset=utf-8"
    return json.loads(response.content)


def test_json_feed_is_version_1_1_with_absolute_addresses(client, settings):
    settings.SITE_DOMAIN = "news.example.org"
    call_command("migrate", verbosity=0)
    ada = make_author(name="Ada", slug="ada")
    article = tag(_edited_article(), "Go", "Rust")
    article.author = ada
    article.image_url = "/media/lead.png"
    article.save()
    feed = _json_feed(client)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] and feed["home_page_url"] == "http://news.example.org/blog/"
    assert feed["feed_url"] == "http://news.example.org/blog/feed.json"
    (item,) = feed["items"]
    rss = ElementTree.fromstring(client.get("/blog/feed.xml").content)
    assert item["id"] == rss.findtext("channel/item/guid")  # the same stable id as RSS and Atom
    assert item["url"] == f"http://news.example.org{article.get_absolute_url()}"
    assert item["title"] == "Edited" and item["summary"] == "Short."
    assert "<strong>whole</strong>" in item["content_html"]
    assert item["image"] == "http://news.example.org/media/lead.png"
    assert item["authors"] == [{"name": "Ada", "url": "http://news.example.org/blog/author/ada"}]
    assert sorted(item["tags"]) == ["Go", "Rust"]


def test_json_feed_dates_are_rfc_3339_with_offset(client):
    article = _edited_article()
    (item,) = _json_feed(client)["items"]
    for name, expected in (("date_published", article.published), ("date_modified", article.updated)):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", item[name]), item
        assert datetime.fromisoformat(item[name]) == expected


def test_json_feed_items_have_the_required_fields_and_no_nulls(client):
    make_article(title="Bare", excerpt="", author=None)
    (item,) = _json_feed(client)["items"]
    assert {"id", "url", "title", "content_html", "date_published"} <= set(item)
    assert None not in item.values() and "" not in item.values()
    assert "authors" not in item and "tags" not in item and "summary" not in item


def test_json_feed_content_html_is_the_sanitized_body(client):
    make_article(body='Hi <script>alert(1)</script> <a href="javascript:alert(2)">x</a>')
    (item,) = _json_feed(client)["items"]
    assert "<script" not in item["content_html"] and "javascript:" not in item["content_html"]


def test_json_feed_lists_what_the_other_feeds_list(client):
    make_article(title="Public")
    make_article(title="Draft", status=Status.DRAFT)
    make_article(title="Scheduled", published=timezone.now() + timedelta(days=1))
    rss = ElementTree.fromstring(client.get("/blog/feed.xml").content)
    assert [item["title"] for item in _json_feed(client)["items"]] == [
        title.text for title in rss.iter("title")
    ][1:]
