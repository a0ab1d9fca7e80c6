"""Which existing article a seed file is, decided in memory from rows looked up per group of files.

An article's identity across re-imports is its uuid, else source + source_id, else its slug; never
title + date (the duplicate-on-re-import bug WordPress, Ghost and Wagtail importers are known for).
The importer looks up the rows a group of files can be (by their import hashes, uuids, sources and
slugs) in one query, not one per file, and holds only those: holding every article of the database
and of the run made the writer's memory grow about 1 KB a file (issue 11: RSS flat from 10,000 to
100,000 files). `ensure()` looks up a seed whose keys were not in its group's query (a file parsed
late) with one more query.
"""

from dataclasses import dataclass

from django.db.models import Q

from .seeds import SeedError


# Slots: a group's rows are a few hundred of these.
@dataclass(slots=True)
class _Known:
    pk: int
    slug: str
    source: str
    source_id: str
    uuid: object
    import_hash: str


class ArticleIdentities:
    """The rows of the articles a group of files can be, by each of their keys."""

    def __init__(self, rows=()):
        self.by_pk, self.by_slug, self.by_source, self.by_uuid, self.by_hash = {}, {}, {}, {}, {}
        # The keys looked up so far (a row found by none of them may still exist).
        self.slugs, self.sources, self.uuids = set(), set(), set()
        for row in rows:
            self.remember(_Known(*row))

    @classmethod
    def lookup(cls, digests=(), seeds=()):
        """The rows whose import hash is one of `digests` or that `seeds` can be: one query."""
        identities = cls()
        identities._load(digests, seeds)
        return identities

    def add(self, seeds):
        """Also the rows `seeds` can be: one query."""
        self._load((), seeds)

    def ensure(self, seed):
        """Look up `seed`'s keys if its group's query did not (one query), before find()."""
        if (
            seed.slug not in self.slugs
            or (seed.uuid is not None and seed.uuid not in self.uuids)
            or (seed.source and seed.source_id and (seed.source, seed.source_id) not in self.sources)
        ):
            self._load((), [seed])

    def _load(self, digests, seeds):
        from .models import Article

        slugs = {seed.slug for seed in seeds} - self.slugs
        uuids = {seed.uuid for seed in seeds if seed.uuid is not None} - self.uuids
        sources = {(seed.source, seed.source_id) for seed in seeds if seed.source and seed.source_id}
        sources -= self.sources
        self.slugs |= slugs
        self.uuids |= uuids
        self.sources |= sources
        digests = set(digests) - {""}
        if not digests and not slugs and not uuids and not sources:
            return
        # Each term is an index's (article_import_hash_idx, the slug's and uuid's unique indexes,
        # article_unique_source_id), so the query reads a group's rows, not the table. The sources
        # as two lists (a few more rows than the pairs, each indexed as it is), with the unique
        # index's condition spelled out: SQLite uses a partial index only for a query that repeats it.
        wanted = Q(import_hash__in=digests) | Q(slug__in=slugs) | Q(uuid__in=uuids)
        if sources:
            wanted |= (
                Q(source__in={source for source, _ in sources})
                & Q(source_id__in={source_id for _, source_id in sources})
                & ~Q(source="")
                & ~Q(source_id="")
            )
        rows = Article.objects.filter(wanted).values_list(
            "pk", "slug", "source", "source_id", "uuid", "import_hash"
        )
        for row in rows.order_by():
            if row[0] not in self.by_pk:  # a row remembered since it was written is newer
                self.remember(_Known(*row))

    def remember(self, known):
        """Record an article as it now is (after a create or an update), forgetting its old keys."""
        old = self.by_pk.get(known.pk)
        if old is not None:
            self.by_slug.pop(old.slug, None)
            self.by_source.pop((old.source, old.source_id), None)
            self.by_uuid.pop(old.uuid, None)
            self.by_hash.pop(old.import_hash, None)
        self.by_pk[known.pk] = known
        self.by_slug[known.slug] = known
        if known.source and known.source_id:
            self.by_source[(known.source, known.source_id)] = known
        if known.uuid is not None:
            self.by_uuid[known.uuid] = known
        if known.import_hash:
            self.by_hash[known.import_hash] = known

    def remember_article(self, article):
        """Record an article a file of the group wrote (or found unchanged in other bytes)."""
        self.remember(
            _Known(
                article.pk,
                article.slug,
                article.source,
                article.source_id,
                article.uuid,
                article.import_hash,
            )
        )

    def find(self, seed):
        """The pk of the article `seed` is, or None for a new one; SeedError when its slug belongs to
        an article with another identity."""
        if seed.uuid is not None and seed.uuid in self.by_uuid:
            return self.by_uuid[seed.uuid].pk
        if seed.source and seed.source_id and (seed.source, seed.source_id) in self.by_source:
            return self.by_source[(seed.source, seed.source_id)].pk
        found = self.by_slug.get(seed.slug)
        if found is None:
            return None
        if (
            found.source
            and found.source_id
            and (found.source, found.source_id) != (seed.source, seed.source_id)
        ):
            raise SeedError(
                f"slug: {seed.slug!r} is already used by another article "
                f"(source {found.source} {found.source_id})"
            )
        if found.uuid is not None and found.uuid != seed.uuid:
            raise SeedError(f"slug: {seed.slug!r} is already used by another article (uuid {found.uuid})")
        return found.pk

    def check_slug_free(self, slug, pk):
        holder = self.by_slug.get(slug)
        if holder is not None and holder.pk != pk:
            raise SeedError(f"slug: {slug!r} is already used by another article (/blog/{slug})")
