"""The Content API's parameters do what they say, over allowlists: fields, include and formats shape
an article (markdown is the body byte for byte); each filter field and operator selects the right
articles; each order sorts; limit and page give the totals and links; anything refused is a 400 whose
JSON names the parameter. Answers carry absolute URLs and ISO 8601 times with their offset."""

from datetime import datetime, timedelta

import pytest
from django.http import QueryDict
from django.utils import timezone

from articles.models import Tag
from content_api import filters, parameters, representations

from .factories import make_article, make_author, tag

pytestmark = pytest.mark.django_db


def _get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.content)
    return response.json()


def _slugs(client, url):
    return [item["slug"] for item in _get(client, url)["articles"]]


def test_markdown_is_the_body_byte_for_byte(client, db):
    body = (
        "# Títle\r\n\r\nTrailing spaces  \n\ttab, <b>html</b>, a\u00a0nbsp, emoji 🐍\n\n```py\nx = 1\n```\n"
    )
    make_article(slug="exact", body=body)
    for url in ("/api/v1/articles/exact/?formats=markdown", "/api/v1/articles/?formats=markdown"):
        response = client.get(url)
        assert response.json()["articles"][0]["markdown"] == body
        assert (
            body.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t").encode() in response.content
        )


def test_formats_fields_and_include_shape_an_article(client, db):
    author = make_author(name="Jane", slug="jane")
    tag(make_article(slug="a", author=author, body="Some *text* &amp; more."), "Python")
    article = _get(client, "/api/v1/articles/a/")["articles"][0]
    assert set(article) == {*representations.ARTICLE_FIELDS, "html"} - {"author", "tags"}
    article = _get(client, "/api/v1/articles/a/?fields=slug,title&formats=plaintext,markdown&include=author")
    assert article["articles"][0] == {
        "slug": "a",
        "title": article["articles"][0]["title"],
        "plaintext": "Some text & more.",
        "markdown": "Some *text* &amp; more.",
    }
    included = _get(client, "/api/v1/articles/a/?fields=slug,author,tags&include=author,tags")["articles"][0]
    assert (
        included["author"]["slug"] == "jane"
        and included["author"]["url"] == "http://testserver/blog/author/jane"
    )
    assert [found["slug"] for found in included["tags"]] == ["python"]


def test_included_tags_come_by_name_and_an_article_without_author_says_so(client, db):
    article = tag(
        make_article(slug="a", author=make_author(name="Ann", slug="ann")), "Zope", "Ansible", "Mypy"
    )
    # Ties on the name go by id; case and accents as the database orders them (its collation).
    for slug, name in (("zz", "zebra"), ("ansible-2", "Ansible"), ("emile", "Émile"), ("ahn", "ähnlich")):
        article.tags.add(Tag.objects.create(slug=slug, name=name))
    by_name = list(article.tags.order_by("name", "id").values_list("pk", "name"))
    assert [name for _, name in by_name][:4] == ["Ansible", "Ansible", "Mypy", "Zope"]
    bash = tag(make_article(slug="b", body="B."), "Bash").tags.get()
    shape = "include=author,tags&fields=slug,author,tags"
    for url in (f"/api/v1/articles/a/?{shape}", f"/api/v1/articles/?{shape}&order=slug%20asc"):
        shown = _get(client, url)["articles"][0]
        assert [(found["id"], found["name"]) for found in shown["tags"]] == by_name
        assert shown["author"]["name"] == "Ann"
    assert _get(client, f"/api/v1/articles/b/?{shape}&formats=markdown")["articles"][0] == {
        "markdown": "B.",
        "slug": "b",
        "author": None,
        "tags": [{"id": bash.pk, "slug": "bash", "name": "Bash", "url": "http://testserver/blog/tag/bash"}],
    }


def test_urls_are_absolute_and_times_carry_their_offset(client, db, settings):
    settings.TIME_ZONE = "Europe/Lisbon"
    moment = timezone.make_aware(datetime(2024, 7, 1, 12, 0), timezone.get_fixed_timezone(0))
    make_article(slug="a", published=moment, created=moment)
    article = _get(client, "/api/v1/articles/a/")["articles"][0]
    assert article["url"] == "http://testserver/blog/a"
    assert article["published_at"] == "2024-07-01T13:00:00+01:00"  # Lisbon in summer
    assert article["created_at"] == "2024-07-01T13:00:00+01:00"


def test_an_uploaded_lead_image_lists_its_renditions_with_widths(
    client, db, settings, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .factories import image_bytes

    settings.MEDIA_ROOT = tmp_path
    cover = SimpleUploadedFile("cover.png", image_bytes(size=(1000, 500)))
    with django_capture_on_commit_callbacks(execute=True):  # renditions are made once the save commits
        make_article(slug="a", image=cover, image_alt="A cover")
    image = _get(client, "/api/v1/articles/a/?fields=image")["articles"][0]["image"]
    assert image["url"].startswith("http://testserver/") and image["alt"] == "A cover"
    assert (image["width"], image["height"]) == (1000, 500)
    widths = {(rendition["type"], rendition["width"]) for rendition in image["renditions"]}
    assert widths == {(kind, w) for kind in ("image/webp", "image/png") for w in (480, 960, 1000)}
    assert all(rendition["url"].startswith("http://testserver/") for rendition in image["renditions"])


@pytest.fixture
def catalogue(db):
    """Four public articles: python-old (2023, Jane, python), python-new (2024, Jane, python django),
    django-only (2024-06, Bob, django, locale pt-BR), plain (2025, no author, no tag)."""
    jane, bob = make_author(name="Jane", slug="jane"), make_author(name="Bob", slug="bob")
    at = lambda *day: timezone.make_aware(datetime(*day, 12))  # noqa: E731
    tag(make_article(slug="python-old", title="B old", author=jane, published=at(2023, 5, 1)), "python")
    tag(
        make_article(slug="python-new", title="A new", author=jane, published=at(2024, 1, 1)),
        "python",
        "django",
    )
    tag(
        make_article(
            slug="django-only", title="C django", author=bob, published=at(2024, 6, 1), locale="pt-BR"
        ),
        "django",
    )
    make_article(slug="plain", title="D plain", published=at(2025, 1, 1))


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("tag:python", {"python-old", "python-new"}),
        ("tag:-python", {"django-only", "plain"}),
        ("tag:[python,django]", {"python-old", "python-new", "django-only"}),
        ("author:jane", {"python-old", "python-new"}),
        ("author:-jane", {"django-only", "plain"}),
        ("slug:plain", {"plain"}),
        ("locale:pt-BR", {"django-only"}),
        ("tag:python+tag:django", {"python-new"}),
        ("tag:python tag:django", {"python-new"}),  # an unencoded + arrives as a space
        ("author:bob,slug:plain", {"django-only", "plain"}),
        ("tag:python+author:jane,slug:plain", {"python-old", "python-new", "plain"}),
        ("published:2024-01-01", {"python-new"}),
        ("published:>2024-01-01", {"django-only", "plain"}),
        ("published:>=2024-01-01", {"python-new", "django-only", "plain"}),
        ("published:<2024-01-01", {"python-old"}),
        ("published:<=2024-01-01", {"python-old", "python-new"}),
        ("published:-2024-01-01", {"python-old", "django-only", "plain"}),
        ("published:>'2024-06-01T11:00:00+00:00'", {"django-only", "plain"}),
        ("updated:<2024-01-02", {"python-old", "python-new"}),
    ],
)
def test_each_filter_selects_its_articles(client, catalogue, expression, expected):
    from urllib.parse import quote

    assert set(_slugs(client, f"/api/v1/articles/?filter={quote(expression)}")) == expected


@pytest.mark.parametrize(
    "expression",
    [
        "",
        "title:hello",  # not an allowed field
        "tag:python;DROP TABLE",
        "tag>python",
        "tag:>python",
        "published:yesterday",
        "published:2024-02-31",  # well formed, no such day
        "updated:<'2024-01-01T25:00'",
        "published:[2024-01-01]",
        "tag:python+",
        "tag:python|tag:django",
        "tag:(python)",
        "+".join(["tag:x"] * (filters.MAX_TERMS + 1)),
        "author__slug:jane",
    ],
)
def test_a_refused_filter_is_a_400_naming_it(client, catalogue, expression):
    from urllib.parse import quote

    errors = _get(client, f"/api/v1/articles/?filter={quote(expression)}", status=400)["errors"]
    assert errors[0]["parameter"] == "filter" and errors[0]["message"].startswith("filter")


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        (None, ["plain", "django-only", "python-new", "python-old"]),
        ("published_at asc", ["python-old", "python-new", "django-only", "plain"]),
        ("published_at desc", ["plain", "django-only", "python-new", "python-old"]),
        ("title asc", ["python-new", "python-old", "django-only", "plain"]),
        ("title desc", ["plain", "django-only", "python-old", "python-new"]),
        ("slug asc", ["django-only", "plain", "python-new", "python-old"]),
        ("updated_at asc", ["python-old", "python-new", "django-only", "plain"]),
    ],
)
def test_each_order_sorts(client, catalogue, order, expected):
    from urllib.parse import quote

    query = f"?order={quote(order)}" if order else ""
    assert _slugs(client, f"/api/v1/articles/{query}") == expected


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/v1/articles/?order=body asc", "order"),
        ("/api/v1/articles/?order=title sideways", "order"),
        ("/api/v1/articles/?order=", "order"),
        ("/api/v1/articles/?fields=slug,password", "fields"),
        ("/api/v1/articles/?fields=", "fields"),
        ("/api/v1/articles/?formats=pdf", "formats"),
        ("/api/v1/articles/?include=comments", "include"),
        ("/api/v1/articles/?limit=0", "limit"),
        ("/api/v1/articles/?limit=101", "limit"),
        ("/api/v1/articles/?limit=all", "limit"),
        ("/api/v1/articles/?page=0", "page"),
        ("/api/v1/articles/?page=x", "page"),
        ("/api/v1/articles/python-new/?fields=nope", "fields"),
        ("/api/v1/authors/?order=count desc", "order"),
        ("/api/v1/authors/?fields=email", "fields"),
        ("/api/v1/tags/?limit=1000", "limit"),
        ("/api/v1/tags/python/?fields=secret", "fields"),
    ],
)
def test_a_bad_parameter_is_a_400_that_names_it(client, catalogue, url, parameter):
    response = client.get(url)
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["parameter"] == parameter


def test_pages_have_totals_and_links(client, catalogue):
    first = _get(client, "/api/v1/articles/?limit=3&fields=slug")
    assert first["meta"]["pagination"] == {
        "page": 1,
        "limit": 3,
        "pages": 2,
        "total": 4,
        "next": 2,
        "prev": None,
        "next_url": "http://testserver/api/v1/articles/?limit=3&fields=slug&page=2",
        "prev_url": None,
    }
    second = _get(client, first["meta"]["pagination"]["next_url"].removeprefix("http://testserver"))
    assert second["meta"]["pagination"]["prev"] == 1 and second["meta"]["pagination"]["next"] is None
    assert [item["slug"] for item in first["articles"] + second["articles"]] == _slugs(
        client, "/api/v1/articles/"
    )
    beyond = _get(client, "/api/v1/articles/?page=9")
    assert beyond["articles"] == [] and beyond["meta"]["pagination"]["total"] == 4
    assert _get(client, "/api/v1/tags/?limit=1")["meta"]["pagination"]["pages"] == 2


@pytest.mark.parametrize(
    "query",
    ["page=2&limit=1&x=1&x=2", "limit=1&page=2&x=%C3%A9+a", "limit=1&x=b", "page=2&limit=1"],
)
def test_page_links_keep_every_other_parameter_in_its_place(client, catalogue, query):
    """As setting `page` on a copy of request.GET and encoding it gives: `page` where it was, or last;
    repeated and encoded parameters as sent."""
    pagination = _get(client, f"/api/v1/articles/?{query}")["meta"]["pagination"]
    for number, link in ((pagination["next"], "next_url"), (pagination["prev"], "prev_url")):
        if number is None:
            assert pagination[link] is None
            continue
        expected = QueryDict(query, mutable=True)
        expected["page"] = str(number)
        assert pagination[link] == f"http://testserver/api/v1/articles/?{expected.urlencode()}"


def test_the_default_limit_is_15(client, db):
    for number in range(parameters.DEFAULT_LIMIT + 1):
        make_article(published=timezone.now() - timedelta(hours=number))
    body = _get(client, "/api/v1/articles/")
    assert len(body["articles"]) == 15 and body["meta"]["pagination"]["total"] == 16
