"""The plan inserted straight into the database, as importing its files would leave it, but fast.

An import saves article by article: Article.save() renders the body, its post_save signal writes
the search vector, each file is a savepoint. Here rows go in with bulk_create, one transaction a
batch, and what save() and its signal derive is derived by the same functions: the body rendered
(render(), then responsive_body_images(), as in Article.save()), its first image, headings and
reading time, once per distinct body (a pool of `bodies`, since rendering is most of an import's
time); the search vector by refresh_search_vector() (PostgreSQL), a batch at a time; one history
version an article, "import", as the importer writes them. Authors and tags are created when an
article first names them, as an import creates them. Not written, because pages never read them:
import_hash, front_matter_raw and source_name (there are no files), publish events and their
tasks (no receiver listens while a site is built). tests/test_synthetic.py imports the same plan's
files and checks that the rows are the same.

Needs Django set up; plan.py, text.py and files.py do not.
"""

import time
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from articles.images.renditions import responsive_body_images
from articles.markdown import first_image_url, outline, render
from articles.models import Article, Author, Tag

from . import text
from .files import LEAD_IMAGE_KEY
from .plan import DEFAULT_SEED, plan

BODY_POOL = 400  # distinct bodies shared by the articles: about 4 s of rendering
BATCH_SIZE = 1000


@dataclass
class BuiltSite:
    articles: int = 0
    kinds: Counter = field(default_factory=Counter)  # plan.KINDS -> articles
    authors: int = 0
    tags: int = 0
    tag_links: int = 0
    seconds: float = 0.0


def derived_fields(body):
    """What Article.save() derives from a body with no stored images. The title plays no part:
    synthetic bodies never open with a level-one heading that could repeat it."""
    body_html, _ = responsive_body_images(render(body))
    headings, reading_minutes = outline(body_html)
    return {
        "body_html": body_html,
        "body_image_url": first_image_url(body_html),
        "headings": headings,
        "reading_minutes": reading_minutes,
    }


def insert_site(
    count, *, seed=DEFAULT_SEED, now=None, bodies=BODY_POOL, batch_size=BATCH_SIZE, on_progress=None
):
    """Insert `count` planned articles into a database that has none; return a BuiltSite.
    `on_progress(done, count)` hears of each committed batch."""
    if Article.objects.exists():
        raise ValueError("insert_site() builds a site from scratch: this database already has articles")
    started = time.perf_counter()
    site = BuiltSite()
    rendered, author_pks, tag_pks = {}, {}, {}
    imported_at = timezone.now()
    planned = plan(count, seed=seed, now=now, bodies=bodies)
    while batch := [article for _, article in zip(range(batch_size), planned, strict=False)]:
        with transaction.atomic():
            _create_missing(Author, {p.author.slug: p.author for p in batch if p.author}, author_pks)
            _create_missing(Tag, {tag.slug: tag for p in batch for tag in p.tags}, tag_pks)
            rows = []
            for planned_article in batch:
                if planned_article.body_number not in rendered:
                    body = text.body(seed, planned_article.body_number)
                    rendered[planned_article.body_number] = {"body": body, **derived_fields(body)}
                rows.append(_article(planned_article, rendered, author_pks, imported_at))
            Article.objects.bulk_create(rows)
            links = [
                Article.tags.through(article_id=row.pk, tag_id=tag_pks[tag.slug])
                for row, planned_article in zip(rows, batch, strict=True)
                for tag in planned_article.tags
            ]
            Article.tags.through.objects.bulk_create(links)
            Article.history.bulk_history_create(
                rows, default_change_reason="import", default_date=imported_at
            )
            Article.objects.filter(pk__in=[row.pk for row in rows]).refresh_search_vector()
        site.articles += len(rows)
        site.tag_links += len(links)
        site.kinds.update(p.kind for p in batch)
        if on_progress:
            on_progress(site.articles, count)
    site.authors, site.tags = len(author_pks), len(tag_pks)
    site.seconds = time.perf_counter() - started
    return site


def _create_missing(model, planned, pks):
    """Rows for the planned authors or tags (by slug) not created yet; their pks go into `pks`."""
    new = [model(**vars(item)) for slug, item in planned.items() if slug not in pks]
    for row in model.objects.bulk_create(new):
        pks[row.slug] = row.pk


def _article(planned, rendered, author_pks, imported_at):
    return Article(
        title=planned.title,
        slug=planned.slug,
        author_id=author_pks[planned.author.slug] if planned.author else None,
        excerpt=planned.excerpt,
        **rendered[planned.body_number],
        image_url=planned.image_url,
        extra={LEAD_IMAGE_KEY[planned.style]: planned.image_url} if planned.image_url else {},
        status=planned.status,
        published=planned.published,
        expires=planned.expires,
        updated=planned.updated,
        source=planned.source,
        source_id=planned.source_id,
        imported_at=imported_at,
    )
