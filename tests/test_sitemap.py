"""What crawlers read: /sitemap.xml lists the public articles with their real modified date, and
robots.txt points at it."""

from datetime import timedelta
from xml.etree import ElementTree

from django.utils import timezone

from .factories import make_article

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_sitemap_lists_public_articles_with_updated_as_lastmod(client, db):
    updated = timezone.now() - timedelta(days=1)
    article = make_article(updated=updated)
    root = ElementTree.fromstring(client.get("/sitemap.xml").content)
    entries = {
        u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in root.iter(f"{SITEMAP}url")
    }
    location = next(loc for loc in entries if loc.endswith(article.get_absolute_url()))
    assert entries[location] == updated.date().isoformat()


def test_robots_txt_points_at_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode().splitlines()
