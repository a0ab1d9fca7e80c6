"""Which existing article a seed file is, decided in memory: loaded once per import run.

An article's identity across re-imports is its uuid, else source + source_id, else its slug; never
title + date (the duplicate-on-re-import bug WordPress, Ghost and Wagtail importers are known for).
Loading these keys once per run instead of querying per file keeps a 10,000-file import close to
the cost of parsing and rendering (bench/import_bench.py).
"""

from dataclasses import dataclass

from .seeds import SeedError


# Slots: one of these stays in memory for every article of the database and of the run, and a
# per-instance __dict__ would more than double its size (issue 11: memory flat with N).
@dataclass(slots=True)
class _Known:
    pk: int
    slug: str
    source: str
    source_id: str
    uuid: object
    import_hash: str
    # Whether a file of this run had this article's bytes (it wrote them, or found them unchanged):
    # a second byte-identical file is then not "unchanged" but a second claim on the slug.
    met: bool = False


class ArticleIdentities:
    def __init__(self, rows):
        self.by_pk, self.by_slug, self.by_source, self.by_uuid, self.by_hash = {}, {}, {}, {}, {}
        for row in rows:
            self.remember(_Known(*row))

    @classmethod
    def load(cls):
        from .models import Article

        return cls(
            Article.objects.values_list("pk", "slug", "source", "source_id", "uuid", "import_hash")
            .order_by()
            .iterator(chunk_size=2000)
        )

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
        """Record an article a file of this run wrote (or found unchanged in other bytes)."""
        self.remember(
            _Known(
                article.pk,
                article.slug,
                article.source,
                article.source_id,
                article.uuid,
                article.import_hash,
                met=True,
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
