"""A tag's links carry exact copies of their article's status, published and expires, whatever
wrote the article or the link, and a tag page is one seek of their index, with the articles fetched
by primary key: no walk of every public article (issue 11; articles/tag_links.py)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import tag_links
from articles.importer import import_paths
from articles.models import Article, Status, Tag
from articles.tag_links import TagLink

from .factories import make_article, tag
from .query_plans import plan


def _copies_differ():
    """Every link whose copies are not its article's, as (slug, tag, copies, article's)."""
    wrong = []
    for link in TagLink.objects.select_related("article", "tag"):
        copies = (link.status, link.published, link.expires)
        article = (link.article.status, link.article.published, link.article.expires)
        if copies != article:
            wrong.append((link.article.slug, link.tag.slug, copies, article))
    return wrong


@pytest.fixture
def tagged(db):
    """Three articles under two tags."""
    articles = [tag(make_article(slug=f"a{number}"), "red", "blue") for number in range(3)]
    assert TagLink.objects.count() == 6 and not _copies_differ()
    return articles


def _edit(article, **changes):
    for name, value in changes.items():
        setattr(article, name, value)
    article.save()


@pytest.mark.parametrize(
    "changes",
    [
        {"status": Status.DRAFT},  # unpublish
        {"published": timezone.now() + timedelta(days=2)},  # schedule
        {"published": timezone.now() - timedelta(days=999)},  # re-date
        {"expires": timezone.now() - timedelta(minutes=1)},  # expire
        {"published": None},
    ],
    ids=["unpublish", "schedule", "re-date", "expire", "undate"],
)
def test_a_saved_change_reaches_every_link_of_the_article(tagged, changes):
    _edit(tagged[1], **changes)
    assert not _copies_differ()
    assert TagLink.objects.filter(article=tagged[1], **changes).count() == 2


def test_publishing_a_draft_reaches_its_links(db):
    draft = tag(make_article(status=Status.DRAFT), "red")
    assert TagLink.objects.get().status == Status.DRAFT
    _edit(draft, status=Status.PUBLISHED)
    assert TagLink.objects.get().status == Status.PUBLISHED and not _copies_differ()


def test_bulk_writes_reach_the_links(tagged):
    """A queryset's update() saves no article; bench/synthetic inserts links by bulk_create."""
    Article.objects.filter(slug="a0").update(status=Status.DRAFT, expires=timezone.now())
    Article.objects.update(published=timezone.now() - timedelta(hours=5))
    loose = make_article(slug="loose")
    Article.tags.through.objects.bulk_create(
        [Article.tags.through(article_id=loose.pk, tag_id=Tag.objects.get(slug="red").pk)]
    )
    assert not _copies_differ()
    assert TagLink.objects.filter(article=loose).get().published == loose.published


def test_writing_the_copies_themselves_is_undone(tagged):
    TagLink.objects.update(status=Status.DRAFT, published=None)
    assert not _copies_differ()


def test_a_link_moved_to_another_article_takes_its_copies(tagged):
    other = make_article(slug="other", status=Status.DRAFT)
    TagLink.objects.filter(article=tagged[0], tag__slug="red").update(article=other)
    assert not _copies_differ()
    assert TagLink.objects.get(article=other).status == Status.DRAFT


def test_tags_added_removed_and_articles_deleted(tagged):
    green = Tag.objects.create(slug="green", name="Green")
    tagged[0].tags.add(green)
    tagged[1].tags.set([green])
    tagged[2].delete()
    assert not _copies_differ()
    assert set(TagLink.objects.values_list("article__slug", "tag__slug")) == {
        ("a0", "red"),
        ("a0", "blue"),
        ("a0", "green"),
        ("a1", "green"),
    }


def test_an_imported_change_reaches_the_links(db, tmp_path):
    path = tmp_path / "post.md"
    path.write_text("---\ntitle: T\nslug: imported\ndate: 2024-01-02\ntags: [red, blue]\n---\nBody\n")
    import_paths([path])
    path.write_text(
        "---\ntitle: T\nslug: imported\ndate: 2023-05-06\ndraft: true\ntags: [blue, green]\n---\nBody\n"
    )
    import_paths([path])
    article = Article.objects.get(slug="imported")
    assert article.status == Status.DRAFT and article.published.year == 2023
    assert set(TagLink.objects.values_list("tag__slug", "status")) == {("blue", "draft"), ("green", "draft")}
    assert not _copies_differ()


def test_the_copies_triggers_and_index_are_installed_after_every_migration(db):
    """A later migration that rebuilds articles_article on SQLite drops the trigger on it: it must
    call tag_links.install() again (and uninstall_triggers() before, or the rebuild fails)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
            expected = set(tag_links.POSTGRESQL_TRIGGERS)
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            expected = set(tag_links.SQLITE_TRIGGERS)
        triggers = {row[0] for row in cursor.fetchall()}
        indexes = connection.introspection.get_constraints(cursor, tag_links.TABLE)
    assert triggers >= expected
    assert tag_links.INDEX in indexes


def test_a_tag_page_and_feed_seek_the_tags_links_and_read_no_other_article(client, db):
    """The page's (and the feed's) query reads the tag's entries of the links' index in the list's order and fetches
    only the articles shown, by primary key: no walk of the public articles (which, for a rare tag,
    read nearly all of them), no sort."""
    rare = Tag.objects.create(slug="rare", name="Rare")
    for number in range(30):
        article = tag(make_article(), "common")
        if number % 10 == 0:
            article.tags.add(rare)
    for url in ["/blog/tag/rare", "/blog/tag/common", "/blog/tag/rare/feed.xml"]:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        (page_query,) = [
            q["sql"] for q in captured.captured_queries if '"articles_article"."excerpt"' in q["sql"]
        ]
        found = plan(page_query)
        # The feed sorts the (at most FEED_LENGTH) articles it found; the page sorts nothing.
        sorted_rows = url.endswith("feed.xml")
        assert tag_links.INDEX in found, found
        if connection.vendor == "postgresql":
            assert "Seq Scan on articles_article " not in found, found
            assert sorted_rows or " Sort " not in f" {found} ", found
            assert "Index Scan using articles_article_pkey on articles_article" in found, found
        else:
            assert sorted_rows or "TEMP B-TREE" not in found, found
            assert "SEARCH articles_article USING INTEGER PRIMARY KEY (rowid=?)" in found, found
            assert "SCAN articles_article" not in found, found


def test_a_tag_page_shows_only_its_public_articles(client, db):
    shown = tag(make_article(slug="shown", title="Shown"), "red")
    tag(make_article(slug="draft", title="Drafted", status=Status.DRAFT), "red")
    tag(make_article(slug="later", title="Scheduled", published=timezone.now() + timedelta(days=1)), "red")
    tag(make_article(slug="gone", title="Expired", expires=timezone.now() - timedelta(days=1)), "red")
    tag(make_article(slug="other", title="Elsewhere"), "blue")
    page = client.get("/blog/tag/red").content.decode()
    assert "Shown" in page
    for hidden in ["Drafted", "Scheduled", "Expired", "Elsewhere"]:
        assert hidden not in page
    _edit(shown, status=Status.DRAFT)
    assert client.get("/blog/tag/red").status_code == 404
