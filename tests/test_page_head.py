"""The article page's head, for search engines and link previews: description, canonical address,
language, OpenGraph and Twitter tags, and BlogPosting JSON-LD. Read through the rendered page."""

from .conftest import SEED_SLUG
from .factories import make_article, uploaded_image
from .html import json_ld, links, metas, parse

SEED_URL = f"/blog/{SEED_SLUG}"


def _canonical(html):
    return [a["href"] for tag, a in parse(html).elements if tag == "link" and a.get("rel") == "canonical"]


def test_seed_page_head_metadata(client, seed_article):
    html = client.get(SEED_URL).content.decode()
    head = metas(html)
    assert head["description"].startswith("Discover the key IT outsourcing mistakes")
    assert head["og:title"] == "Common IT Outsourcing Mistakes to Avoid"
    assert head["og:description"] == head["description"]
    assert head["og:image"].endswith("image_3b1c60bda9.png")
    assert head["og:url"] == f"http://testserver{SEED_URL}"
    assert head["og:locale"] == "en"
    assert head["article:published_time"] == "2023-12-29T00:00:00+00:00"
    assert _canonical(html) == [f"http://testserver{SEED_URL}"]


def test_head_has_social_tags_and_blogposting_json_ld(client, seed_article):
    html = client.get(SEED_URL).content.decode()
    head = metas(html)
    assert head["twitter:title"] == seed_article.title
    assert head["twitter:image"].endswith("image_3b1c60bda9.png")
    data = json_ld(html)
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == seed_article.title
    assert data["author"]["name"] == "INNOMIZE"
    assert data["datePublished"].startswith("2023-12-29")
    assert data["dateModified"] == seed_article.updated.isoformat()
    assert data["image"].endswith("image_3b1c60bda9.png")
    assert data["publisher"]["name"]
    assert {"/blog/feed.xml", "/blog/atom.xml", "/blog/feed.json"} <= set(links(html, "alternate"))


def test_canonical_url_field_wins_over_the_page_address(client, db):
    make_article(slug="moved", canonical_url="https://original.example/post")
    assert _canonical(client.get("/blog/moved").content.decode()) == ["https://original.example/post"]


def test_locale_sets_lang_and_og_locale(client, db):
    make_article(slug="br", locale="pt-BR")
    html = client.get("/blog/br").content.decode()
    assert '<html lang="pt-BR" dir="ltr">' in html
    assert metas(html)["og:locale"] == "pt_BR"
    assert json_ld(html)["inLanguage"] == "pt-BR"


def test_uploaded_lead_image_gives_og_image_dimensions(client, db):
    article = make_article(slug="pictured")
    article.image = uploaded_image("lead.png", size=(640, 360))
    article.save()
    head = metas(client.get("/blog/pictured").content.decode())
    assert (head["og:image:width"], head["og:image:height"]) == ("640", "360")
