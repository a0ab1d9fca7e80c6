"""The benchmarks' synthetic site (bench/synthetic/): the shape its plan promises, rows the same as
an import of its files would leave, and pages that render."""

import re
import statistics
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from articles.importer import import_paths
from articles.models import Article, Author, Status, Tag
from bench.synthetic import plan, text
from bench.synthetic.database import insert_site
from bench.synthetic.files import write_files

NOW = timezone.now().replace(microsecond=0)


@pytest.fixture(scope="module")
def planned():
    return list(plan.plan(3000, now=NOW))


def test_plan_is_deterministic_and_grows_by_appending(planned):
    assert list(plan.plan(3000, now=NOW)) == planned
    assert list(plan.plan(500, now=NOW)) == planned[:500]
    assert list(plan.plan(500, seed=plan.DEFAULT_SEED + 1, now=NOW)) != planned[:500]
    assert len({article.slug for article in planned}) == len(planned)


def test_every_kind_of_article_is_planned_with_its_dates(planned):
    kinds = Counter(article.kind for article in planned)
    assert set(kinds) == set(plan.KINDS)
    assert kinds["public"] / len(planned) > 0.85
    for article in planned:
        assert (article.status == Status.DRAFT) == (article.kind == "draft")
        if article.published is not None:
            assert NOW - timedelta(days=365 * plan.YEARS) <= article.published
            assert (article.published > NOW) == (article.kind == "scheduled")
        if article.kind == "expired":
            assert article.published < article.expires <= NOW
        assert (article.expires is not None and article.expires > NOW) == (article.kind == "expiring")
    years = {article.published.year for article in planned if article.published}
    assert len(years) >= plan.YEARS


def test_tags_and_authors_are_zipf_distributed(planned):
    assert all(1 <= len(article.tags) <= 6 for article in planned)
    assert all(len({tag.slug for tag in article.tags}) == len(article.tags) for article in planned)
    assert set(Counter(len(article.tags) for article in planned)) == set(plan.TAGS_PER_ARTICLE)
    tag_uses = Counter(tag.slug for article in planned for tag in article.tags)
    # A head of very common tags and a long tail: the most used one is on a fifth of the articles
    # or more, the median one on a handful.
    assert tag_uses.most_common(1)[0][1] > len(planned) / 5
    assert statistics.median(tag_uses.values()) <= 3
    assert len(tag_uses) > 1000
    author_uses = Counter(article.author.slug for article in planned if article.author)
    assert author_uses.most_common(1)[0][1] > 20 * statistics.median(author_uses.values())
    assert len(author_uses) <= plan.AUTHORS
    assert 0 < sum(article.author is None for article in planned) < len(planned) * 0.05


def test_bodies_are_3_to_6_kb_with_every_kind_of_block():
    for number in range(40):
        body = text.body(plan.DEFAULT_SEED, number)
        assert 3000 <= len(body.encode()) <= 6000
        assert len(re.findall(r"^##+ ", body, re.M)) >= 3
        assert re.search(r"^- ", body, re.M) and re.search(r"^1\. ", body, re.M)
        assert re.search(r"\]\(https://", body)
        assert re.search(r"^```\w+\n", body, re.M)
        assert re.search(r"^\|[-:|]+\|$", body, re.M)
        assert not body.startswith("# ")
    assert text.body(plan.DEFAULT_SEED, 3) == text.body(plan.DEFAULT_SEED, 3)


@pytest.mark.django_db
def test_inserted_site_is_the_plan():
    site = insert_site(300, now=NOW, bodies=20, batch_size=70)
    articles = list(plan.plan(300, now=NOW, bodies=20))
    assert site.articles == Article.objects.count() == 300
    assert site.kinds == Counter(article.kind for article in articles)
    assert Counter(Article.objects.values_list("status", flat=True)) == Counter(a.status for a in articles)
    assert Article.history.filter(history_type="+", history_change_reason="import").count() == 300
    links = {(a.slug, tag.slug) for a in articles for tag in a.tags}
    assert set(Article.tags.through.objects.values_list("article__slug", "tag__slug")) == links
    assert site.tag_links == len(links)
    # Only the authors and tags some article names, as an import creates them.
    assert site.authors == Author.objects.count() == len({a.author for a in articles if a.author})
    assert site.tags == Tag.objects.count() == len({slug for _, slug in links})
    assert Article.objects.published().count() == site.kinds["public"] + site.kinds["expiring"]


@pytest.mark.django_db
def test_generated_articles_are_served_as_their_kind_says(client):
    insert_site(300, now=NOW, bodies=20)
    by_kind = {planned.kind: planned.slug for planned in plan.plan(300, now=NOW)}
    public = Article.objects.published().filter(author__isnull=False).first()
    page = client.get(public.get_absolute_url())
    assert page.status_code == 200 and public.title in page.content.decode()
    assert 'class="header-anchor"' in page.content.decode()  # the rendered body, headings linked
    for url in [
        public.author.get_absolute_url(),
        public.tags.first().get_absolute_url(),
        "/blog/",
        "/blog/feed.xml",
        "/sitemap.xml",
        f"/blog/search?q={'+'.join(text.COMMON_WORDS)}",
    ]:
        assert client.get(url).status_code == 200, url
    for kind in ("draft", "scheduled", "expired"):
        assert client.get(f"/blog/{by_kind[kind]}").status_code == 404, kind
    assert client.get(f"/blog/{by_kind['expiring']}").status_code == 200


def _rows():
    """Every article as readers' pages and the admin see it, keyed by slug (pks differ)."""
    fields = [
        "title",
        "excerpt",
        "body",
        "body_html",
        "body_image_url",
        "headings",
        "reading_minutes",
        "image_url",
        "status",
        "published",
        "expires",
        "updated",
        "created",
        "locale",
        "source",
        "source_id",
        "extra",
        "author__name",
        "author__slug",
        "author__url",
    ]
    rows = {row.pop("slug"): row for row in Article.objects.values("slug", *fields)}
    for slug, row in rows.items():
        row["tags"] = sorted(Tag.objects.filter(articles__slug=slug).values_list("slug", "name"))
    return rows


# The first 40 articles of this seed have every kind, in every dialect, an undated draft, and an
# article without an author (asserted below: another generator may need another seed).
COVERING_SEED = 62


@pytest.mark.django_db
def test_inserting_leaves_the_rows_an_import_of_the_files_leaves(
    tmp_path, django_capture_on_commit_callbacks
):
    articles = list(plan.plan(40, seed=COVERING_SEED, now=NOW))
    assert {a.kind for a in articles} == set(plan.KINDS)
    assert {a.style for a in articles if a.kind != "public"} == set(plan.STYLES)
    assert any(a.published is None for a in articles) and any(a.author is None for a in articles)
    assert any(a.author and a.author.url for a in articles) and any(a.image_url for a in articles)
    paths = write_files(tmp_path, 40, seed=COVERING_SEED, now=NOW)
    assert {path.parent.name for path in paths} == {"000"}
    with django_capture_on_commit_callbacks(execute=True):
        report = import_paths([tmp_path])
    assert report.count("created") == 40, [o.line for o in report.outcomes if o.action != "created"]
    assert not [o.warnings for o in report.outcomes if o.warnings]
    imported = _rows()
    search_vectors = dict(Article.objects.values_list("slug", "search_vector"))
    searched = _searches()
    assert all(searched.values()), searched
    Article.objects.all().delete()
    Author.objects.all().delete()
    Tag.objects.all().delete()

    insert_site(40, seed=COVERING_SEED, now=NOW, bodies=None)

    inserted = _rows()
    assert set(inserted) == set(imported)
    for slug, row in imported.items():
        assert inserted[slug] == row, slug
    assert dict(Article.objects.values_list("slug", "search_vector")) == search_vectors
    # The full-text index too (SQLite's is kept by triggers, which bulk inserts fire as well).
    assert _searches() == searched


def _searches():
    """The slugs each of a few words finds, common and rare, among every article."""
    title_words = {
        word.lower() for title in Article.objects.values_list("title", flat=True) for word in title.split()
    }.intersection(text.VOCABULARY)  # not "and" or "the": PostgreSQL's stop words
    words = [*text.COMMON_WORDS, *sorted(title_words)[:5]]
    return {
        word: set(Article.objects.search(word, limit=1000).values_list("slug", flat=True)) for word in words
    }
