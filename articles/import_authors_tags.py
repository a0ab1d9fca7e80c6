"""The authors and tags an import's files name, each found or created once for the whole run
(articles/import_writer.py)."""

from django.db.models import Q

from .models import Author, Tag
from .seed_fields import slug_from_title


class AuthorsAndTags:
    """Authors and tags by slug, kept only from files that committed their savepoint (a rolled back
    file's rows must not be reused) and from rows that existed when a group was looked up."""

    def __init__(self):
        self.authors, self.tags = {}, {}
        self.new_authors, self.new_tags = {}, {}  # those the current file created or found
        # The slugs of authors and tags the current group names that no row had at its look-up: its
        # first file to name one creates it without asking again.
        self.absent_authors, self.absent_tags = set(), set()

    def new_file(self):
        self.new_authors, self.new_tags = {}, {}

    def file_kept(self):
        """The current file's savepoint held: its authors and tags are there for the files after it."""
        self.authors.update(self.new_authors)
        self.tags.update(self.new_tags)

    def look_up(self, seeds):
        """The authors and tags a group's `seeds` name that this run has not met, in a query each for
        the group rather than one for each file naming a new one (a round trip each on PostgreSQL,
        issue 11). Found as author_for() and tags_for() would find them; the others are absent."""
        tag_slugs = {slug for seed in seeds for slug, _ in seed.tags if slug not in self.tags}
        found = {tag.slug: tag for tag in Tag.objects.filter(slug__in=tag_slugs)} if tag_slugs else {}
        self.tags.update(found)
        self.absent_tags = tag_slugs - found.keys()
        names = {}  # slug -> the name of the first seed naming it, as author_for() asks
        for seed in seeds:
            if seed.author_name:
                names.setdefault(_author_slug(seed), seed.author_name)
        missing = {slug: name for slug, name in names.items() if slug not in self.authors}
        found = _authors_found(missing) if missing else {}
        self.authors.update(found)
        self.absent_authors = missing.keys() - found.keys()

    def author_for(self, seed):
        """Authors are found by the slug of their name, made as article and tag slugs are, else by
        their name (an author whose slug was made otherwise: in the admin, or by imports before
        2026-11-26, which kept accents), and created once, never duplicated."""
        if not seed.author_name:
            return None
        slug = _author_slug(seed)
        author = self.authors.get(slug) or self.new_authors.get(slug)
        if author is None:
            found = {} if slug in self.absent_authors else _authors_found({slug: seed.author_name})
            author = found.get(slug) or Author.objects.create(
                slug=slug, name=seed.author_name, url=seed.author_url
            )
            self.new_authors[slug] = author
        if seed.author_url and not author.url:
            author.url = seed.author_url
            author.save(update_fields=["url"])
        return author

    def tags_for(self, pairs):
        """Tags by slug, created once; an existing tag keeps its name. A file's new tags are one
        INSERT (a round trip each was most of a new tag's cost on PostgreSQL, issue 11); creating a
        tag has no effects to send (publishing/signals.py), so bulk_create skips nothing."""
        missing = [
            slug
            for slug, _ in pairs
            if slug not in self.tags and slug not in self.new_tags and slug not in self.absent_tags
        ]
        if missing:
            self.new_tags.update({tag.slug: tag for tag in Tag.objects.filter(slug__in=missing)})
        created = {}
        for slug, name in pairs:
            if slug not in self.tags and slug not in self.new_tags:
                created.setdefault(slug, Tag(slug=slug, name=name))
        if created:
            # pks come back from the INSERT (RETURNING on PostgreSQL and SQLite >= 3.35).
            self.new_tags.update({tag.slug: tag for tag in Tag.objects.bulk_create(created.values())})
        return [self.tags.get(slug) or self.new_tags[slug] for slug, _ in pairs]


def _authors_found(names):
    """{slug: the Author} for those of `names` ({slug: name}) that have one, in one query: the author
    with the slug, else the first one (by pk) with the name."""
    by_slug, by_name = {}, {}
    for author in Author.objects.filter(Q(slug__in=names) | Q(name__in=names.values())).order_by("pk"):
        by_slug.setdefault(author.slug, author)
        by_name.setdefault(author.name, author)
    found = {slug: by_slug.get(slug) or by_name.get(name) for slug, name in names.items()}
    return {slug: author for slug, author in found.items() if author is not None}


def _author_slug(seed):
    return slug_from_title(seed.author_name) or "author"
