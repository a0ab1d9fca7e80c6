"""export_articles: untouched imports byte for byte (plus any date the site gave them that their file
lacks); edited ones keep keys, order and dates; an export imports into an empty database as the
same articles, field by field."""

from io import StringIO

import yaml
from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import exporter, seeds
from articles.exporter import export_articles
from articles.importer import find_seed_files, import_paths
from articles.models import Article, Author, Status, Tag
from articles.seeds import read_seed

from .conftest import SEED_FILE, SEED_SLUG

# Corpus files whose articles have a date or a translation key the file does not hold: the export
# adds it as a key.
KEYS_ADDED = {
    # Hugo's file name says its language (pt-br): its translation set's key, from the name.
    "luizdepra__hugo-coder__emoji-support.pt-br.md": ["translationKey"],
    # No date anywhere (not even in the file name): published at the import time.
    "rust-lang__blog.rust-lang.org__2023-Rust-Annual-Survey-2023-results.md": ["date"],
    "rust-lang__blog.rust-lang.org__Increasing-Rusts-Reach.md": ["date"],
    # Drafts (dev.to `published: false`) with no date at all: updated at the import time.
    "andremmfaria__articles__Mastering Technical Interviews A Practical Guide to the Algorithms That Appear Again and Again.md": [
        "updated"
    ],
    "sinedied__articles__starter.md": ["updated"],
}
# Article fields an import into an empty database cannot give back as they were, and why.
NOT_FROM_THE_FILE = {
    "id": "new rows get new keys (author and tags are compared by value instead)",
    "author": "a key to the author row; compared by name, slug and url",
    "imported_at": "the time of each import",
    "edited_at": "an admin save, which an import is not",
    "front_matter_raw": "the exported front matter: keys added, or rewritten after an edit",
    "import_hash": "the hash of the exported bytes, which differ where front_matter_raw does",
}


def snapshot():
    """Every article field, by slug, with the author, tags and old paths as values."""
    compared = [f.name for f in Article._meta.concrete_fields if f.name not in NOT_FROM_THE_FILE]
    rows = {}
    for article in Article.objects.select_related("author").prefetch_related("tags"):
        values = {name: getattr(article, name) for name in compared}
        values["image"] = article.image.name
        author = article.author
        values["author"] = (author.name, author.slug, author.url) if author else None
        values["tags"] = sorted((tag.slug, tag.name) for tag in article.tags.all())
        values["old_paths"] = sorted(
            Redirect.objects.filter(new_path=article.get_absolute_url()).values_list("old_path", flat=True)
        )
        rows[article.slug] = values
    return rows


def export(tmp_path):
    out = tmp_path / "export"
    call_command("export_articles", str(out), stdout=StringIO())
    return out


def exported_by_slug(out):
    return {
        read_seed(path, max_bytes=settings.IMPORT_MAX_FILE_BYTES, time_zone=settings.TIME_ZONE).slug: path
        for path in find_seed_files([out])
    }


def test_unedited_import_exports_byte_for_byte_with_only_missing_keys_added(db, tmp_path, laid_out_corpus):
    report = import_paths([SEED_FILE, *sorted(laid_out_corpus)])
    sources = {o.slug: o.path for o in report.outcomes if o.action == "created"}
    exported = exported_by_slug(export(tmp_path))
    assert set(exported) == set(sources) and len(sources) == Article.objects.count()
    added = {}
    for slug, source in sources.items():
        original, text = source.read_bytes(), exported[slug].read_bytes()
        if text == original:
            continue
        # The added keys are whole lines right after the opening delimiter; nothing else changed.
        opening, *lines = text.splitlines(keepends=True)
        new_keys = [line.split(b"=")[0].split(b":")[0].strip().decode() for line in lines[:2]]
        new_keys = [key for key in new_keys if key in ("date", "updated", "translationKey")]
        assert opening + b"".join(lines[len(new_keys) :]) == original, slug
        added[laid_out_corpus[source]] = new_keys
    assert added == KEYS_ADDED


def test_export_of_the_whole_corpus_reimports_as_the_same_articles(db, tmp_path, laid_out_corpus):
    import_paths([SEED_FILE, *sorted(laid_out_corpus)])
    edited = Article.objects.get(slug=SEED_SLUG)
    edited.title, edited.edited_at = "A new title", timezone.now()
    edited.body = edited.body.replace("strategic outsourcing", "careful outsourcing")
    edited.save()
    before = snapshot()
    out = export(tmp_path)
    Article.objects.all().delete()
    Author.objects.all().delete()
    Tag.objects.all().delete()
    Redirect.objects.all().delete()
    report = import_paths([out])
    assert report.count("failed") == 0, [o.line for o in report.outcomes if o.action == "failed"]
    after = snapshot()
    assert set(after) == set(before)
    for slug, values in before.items():
        for name, value in values.items():
            assert after[slug][name] == value, (slug, name)


def test_edited_article_keeps_original_keys_order_and_date_strings(db, tmp_path, write_seed):
    path = write_seed(
        "2019-03-04-post.md",
        "---\ntitle: Original\nweird_key: [1, 2]\ndate: 2019-03-04 10:00:00 -0500\ntags: a, b\n---\nBody\n",
    )
    import_paths([path])
    article = Article.objects.get()
    article.title, article.slug, article.edited_at = "Changed", "changed", timezone.now()
    article.save()
    out = export(tmp_path)
    text = (out / "2019-03-04-post.md").read_text()
    assert text.startswith("---\ntitle: Changed\nweird_key:")
    front = yaml.safe_load(text.split("---\n")[1])
    assert list(front)[:4] == ["title", "weird_key", "date", "tags"]
    assert front["date"] == "2019-03-04 10:00:00 -0500"  # untouched value, original spelling
    assert front["tags"] == "a, b"
    assert front["slug"] == "changed"
    assert front["aliases"] == ["/blog/post"]
    assert text.endswith("---\nBody\n")


def test_devto_draft_survives_an_edit(db, tmp_path, write_seed):
    path = write_seed("d.md", "---\ntitle: Draft\npublished: false\n---\nx")
    import_paths([path])
    article = Article.objects.get()
    article.excerpt, article.edited_at = "New excerpt", timezone.now()
    article.save()
    out = export(tmp_path)
    Article.objects.all().delete()
    import_paths([out])
    assert Article.objects.get().status == Status.DRAFT
    assert Article.objects.get().excerpt == "New excerpt"


def test_admin_made_article_exports_with_canonical_keys(db, tmp_path):
    from .factories import make_article

    make_article(slug="fresh", title="Fresh", status=Status.DRAFT)
    out = export(tmp_path)
    front = yaml.safe_load((out / "fresh.md").read_text().split("---\n")[1])
    assert front["title"] == "Fresh" and front["slug"] == "fresh" and front["status"] == "draft"
    Article.objects.all().delete()
    assert import_paths([out]).count("created") == 1
    assert Article.objects.get().status == Status.DRAFT


def test_export_reads_each_front_matter_once_and_the_redirects_once(db, tmp_path, write_seed, monkeypatch):
    for number in range(3):
        write_seed(f"in/{number}.md", f"---\ntitle: T{number}\ndate: 2024-01-0{number + 1}\n---\nBody.\n")
    import_paths([tmp_path / "in"])
    for article in Article.objects.exclude(slug="t2"):  # renamed in the admin: rewritten, with aliases
        article.slug, article.edited_at = f"{article.slug}-new", timezone.now()
        article.save()
    # Not edited, but its date is no longer the file's: read to add dates, then rewritten.
    Article.objects.filter(slug="t2").update(published=timezone.now())
    parsed = []

    def split(text, _split=seeds.split_front_matter):
        parsed.append(text)
        return _split(text)

    monkeypatch.setattr(seeds, "split_front_matter", split)
    monkeypatch.setattr(exporter, "split_front_matter", split)
    with CaptureQueriesContext(connection) as queries:
        written = export_articles(tmp_path / "out")
    assert sorted(how for _, how in written) == ["rewritten"] * 3
    assert len(parsed) == 3
    assert len([query for query in queries if "django_redirect" in query["sql"]]) == 1
    aliases = {
        path.name: yaml.safe_load(path.read_text().split("---\n")[1]).get("aliases") for path, _ in written
    }
    assert aliases == {"0.md": ["/blog/t0"], "1.md": ["/blog/t1"], "2.md": None}
