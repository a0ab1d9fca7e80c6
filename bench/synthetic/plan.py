"""The plan of a synthetic site: what each article is, before it is a row or a file.

`plan(count, seed, now)` yields one PlannedArticle per article, the same ones for the same seed and
reference time, and the first 1,000 of a 100,000-article plan are the 1,000-article plan. Authors
(AUTHORS of them) and tags (TAGS) are drawn with Zipf weights (rank r has weight r^-s): a few
prolific authors and very common tags, and a long tail, as on a real site. Publication times are
spread evenly over the YEARS before `now`; KINDS says how many articles are drafts, scheduled
(published, with a time ahead), expired, or public with an expiry ahead. Nothing here needs Django
set up: authors' and tags' slugs are made by the importer's own function (articles/slugs.py).
"""

import itertools
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.utils.text import slugify

from articles.slugs import slug_from_title

from . import text

DEFAULT_SEED = 11
AUTHORS = 1000
TAGS = 2000
AUTHOR_ZIPF, TAG_ZIPF = 0.8, 1.0
NO_AUTHOR = 0.02  # the share of articles whose source names no author
TAGS_PER_ARTICLE = {1: 15, 2: 25, 3: 25, 4: 18, 5: 10, 6: 7}  # how many tags: weights
YEARS = 10
KINDS = {"public": 0.91, "draft": 0.04, "scheduled": 0.02, "expired": 0.02, "expiring": 0.01}
LEAD_IMAGE = 0.5  # the share of articles with a lead image address
EDITED = 0.3  # the share of published articles changed some time after publication
# Front matter dialects of the files (files.py), by article number modulo 10.
STYLES = ("yaml",) * 7 + ("toml",) * 2 + ("devto",)

FIRST_NAMES = """Ada Alan Amara Ana Ben Carla Chen Dara Diego Elena Emil Fatima Grace Hana Ivan Jade
Jonas Kai Lena Luis Maya Mei Nadia Noah Omar Priya Rafael Rosa Sam Sara Tariq Uma Vera Wei Yara Yusuf
Zoe Aiko Bruno Chloe""".split()  # noqa: SIM905 (a list literal would take a line a name)
LAST_NAMES = """Abbott Bauer Costa Dubois Eriksen Fischer Garcia Haddad Ito Jensen Kowalski Larsen
Moreau Novak Okafor Petrov Quinn Rossi Silva Tanaka Urban Varga Weber Xu Yilmaz Zhang Nakamura
Okoye Pereira Schmidt Lindqvist Mendes Horvat Kaur Mensah Farouk Brennan Castillo Duarte Ekström""".split()  # noqa: SIM905


@dataclass(frozen=True)
class PlannedAuthor:
    name: str
    slug: str
    url: str


@dataclass(frozen=True)
class PlannedTag:
    name: str
    slug: str


@dataclass
class PlannedArticle:
    number: int
    kind: str  # one of KINDS
    style: str  # one of STYLES: the front matter dialect it is written in as a file
    title: str
    slug: str
    excerpt: str
    body_number: int  # text.body(seed, body_number) is its body
    author: PlannedAuthor | None
    tags: tuple
    status: str  # "published" or "draft", as Article.status
    published: datetime | None
    expires: datetime | None
    updated: datetime
    image_url: str
    source: str
    source_id: str


def authors(seed):
    """AUTHORS distinct people, most prolific first; a third have a page of their own."""
    rng = random.Random(f"{seed}:authors")
    names = [f"{first} {last}" for first, last in itertools.product(FIRST_NAMES, LAST_NAMES)]
    rng.shuffle(names)
    people = []
    for name in names[:AUTHORS]:
        slug = slug_from_title(name)
        people.append(
            PlannedAuthor(name, slug, f"https://example.com/people/{slug}" if rng.random() < 0.3 else "")
        )
    return people


def tags(seed):
    """TAGS distinct tag names (single words, then hyphenated pairs), most common first."""
    rng = random.Random(f"{seed}:tags")
    pairs = (f"{a}-{b}" for a, b in itertools.permutations(text.VOCABULARY, 2) if "-" not in a + b)
    names = list(dict.fromkeys(itertools.chain(text.VOCABULARY, pairs)))
    single, paired = names[: len(text.VOCABULARY)], rng.sample(names[len(text.VOCABULARY) :], TAGS)
    rng.shuffle(single)  # the most common tags are single words, in no particular order
    return [PlannedTag(name, slug_from_title(name)) for name in (single + paired)[:TAGS]]


def _zipf(count, exponent):
    return list(itertools.accumulate(rank**-exponent for rank in range(1, count + 1)))


def plan(count, *, seed=DEFAULT_SEED, now=None, bodies=None):
    """Yield `count` PlannedArticles. `bodies`: how many distinct bodies to share among them
    (article n gets body n % bodies), None for one body each."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    rng = random.Random(f"{seed}:articles")
    people, labels = authors(seed), tags(seed)
    author_weights, tag_weights = _zipf(len(people), AUTHOR_ZIPF), _zipf(len(labels), TAG_ZIPF)
    tag_counts, tag_count_weights = list(TAGS_PER_ARTICLE), list(TAGS_PER_ARTICLE.values())
    kinds, kind_weights = list(KINDS), list(KINDS.values())
    span = YEARS * 365 * 24 * 3600
    for number in range(count):
        kind = rng.choices(kinds, kind_weights)[0]
        published = now - timedelta(seconds=rng.randrange(3600, span))
        expires = None
        if kind == "draft" and rng.random() < 0.5:
            published = None  # a draft nobody has dated yet
        elif kind == "scheduled":
            published = now + timedelta(seconds=rng.randrange(3600, 120 * 24 * 3600))
        elif kind == "expired":
            expires = published + (now - published) * rng.uniform(0.1, 0.9)
        elif kind == "expiring":
            expires = now + timedelta(seconds=rng.randrange(24 * 3600, 365 * 24 * 3600))
        if published is None:
            updated = now - timedelta(seconds=rng.randrange(3600, 30 * 24 * 3600))
        elif published < now and rng.random() < EDITED:
            updated = published + (now - published) * rng.uniform(0, 1)
        else:
            updated = published
        wanted = rng.choices(tag_counts, tag_count_weights)[0]
        picked = {}
        while len(picked) < wanted:
            index = rng.choices(range(len(labels)), cum_weights=tag_weights)[0]
            picked.setdefault(index, labels[index])
        author = None
        if rng.random() >= NO_AUTHOR:
            author = people[rng.choices(range(len(people)), cum_weights=author_weights)[0]]
        title = text.title(rng)
        style = STYLES[number % len(STYLES)]
        yield PlannedArticle(
            number=number,
            kind=kind,
            style=style,
            title=title,
            slug=f"{slugify(title)[:80].rstrip('-')}-{number}",
            excerpt=text.excerpt(rng),
            body_number=number if bodies is None else number % bodies,
            author=author,
            tags=tuple(picked.values()),
            status="draft" if kind == "draft" else "published",
            published=published,
            expires=expires.replace(microsecond=0) if expires else None,
            updated=updated.replace(microsecond=0),
            image_url=f"https://res.cloudinary.com/demo/image/upload/lead/{number}.jpg"
            if rng.random() < LEAD_IMAGE
            else "",
            # Only the YAML files name their source, as the import bench always had it.
            source="synthetic" if style == "yaml" else "",
            source_id=str(number) if style == "yaml" else "",
        )
