"""Identity across re-imports, tags, and old paths that keep working (301)."""

from articles import importer
from articles.identities import ArticleIdentities
from articles.models import Article, Author, Tag

from .factories import make_article


def test_tags_are_created_once_and_follow_the_file(db, write_seed, run_import):
    path = write_seed("a.md", "---\ntitle: A\nslug: a\ntags: [Python, Django]\n---\nx")
    write_seed("b.md", "---\ntitle: B\nslug: b\ntags: python\n---\ny")
    run_import(path.parent)
    assert sorted(Tag.objects.values_list("slug", flat=True)) == ["django", "python"]
    assert sorted(Article.objects.get(slug="a").tags.values_list("name", flat=True)) == ["Django", "Python"]
    path.write_text("---\ntitle: A\nslug: a\ntags: [Python]\n---\nx")
    code, lines = run_import(path)
    assert code == 0 and lines[0] == f"updated {path} a tags"
    assert list(Article.objects.get(slug="a").tags.values_list("slug", flat=True)) == ["python"]


def test_author_slugs_are_made_as_article_slugs_and_an_author_made_otherwise_is_found_by_name(
    db, write_seed, run_import
):
    run_import(write_seed("a.md", "---\ntitle: A\nauthor: José Núñez\n---\nx"))
    assert Author.objects.get().slug == "jose-nunez"  # as the title "José Núñez" would make it
    # Made in the admin, or by an import that kept accents in author slugs: it keeps its row and address.
    zoe = Author.objects.create(name="Zoë", slug="zoë")
    run_import(write_seed("b.md", "---\ntitle: B\nauthor: Zoë\n---\ny"))
    assert Article.objects.get(slug="b").author == zoe and Author.objects.count() == 2


def test_uuid_identifies_the_article_across_slug_changes(db, write_seed, run_import):
    path = write_seed(
        "a.md", "---\ntitle: T\nslug: first\nuuid: 1b4e28ba-2fa1-11d2-883f-0016d3cca427\n---\nx"
    )
    run_import(path)
    path.write_text("---\ntitle: T\nslug: second\nuuid: 1b4e28ba-2fa1-11d2-883f-0016d3cca427\n---\nx")
    run_import(path)
    assert list(Article.objects.values_list("slug", flat=True)) == ["second"]


def test_slug_change_in_import_keeps_the_old_path_alive(client, db, write_seed, run_import):
    path = write_seed("a.md", "---\ntitle: T\nslug: old-name\nsource: s\nsource_id: '1'\n---\nx")
    run_import(path)
    path.write_text("---\ntitle: T\nslug: new-name\nsource: s\nsource_id: '1'\n---\nx")
    run_import(path)
    response = client.get("/blog/old-name")
    assert response.status_code == 301 and response["Location"] == "/blog/new-name"
    assert client.get("/blog/new-name").status_code == 200


def test_slug_changed_twice_redirects_without_chains_and_reverting_is_live(client, db):
    article = make_article(slug="one")
    article.slug = "two"
    article.save()
    article.slug = "three"
    article.save()
    assert client.get("/blog/one")["Location"] == "/blog/three"
    assert client.get("/blog/two")["Location"] == "/blog/three"
    article.slug = "one"
    article.save()
    assert client.get("/blog/one").status_code == 200
    assert client.get("/blog/three")["Location"] == "/blog/one"


def test_aliases_and_redirect_from_answer_301(client, db, write_seed, run_import):
    run_import(
        write_seed(
            "a.md",
            "---\ntitle: T\nslug: target\naliases: [/2015/05/21/old/, 'https://old.example/posts/x']\n"
            "redirect_from: /blog/legacy-name\n---\nx",
        )
    )
    for old in ("/2015/05/21/old/", "/posts/x", "/blog/legacy-name"):
        response = client.get(old)
        assert response.status_code == 301 and response["Location"] == "/blog/target", old


def test_a_slug_an_article_was_renamed_from_stays_claimed_by_the_file_that_claimed_it(
    db, write_seed, run_import
):
    uuid = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
    first = write_seed("a.md", f"---\ntitle: T\nslug: first\nuuid: {uuid}\n---\nx")
    write_seed("b.md", f"---\ntitle: T\nslug: second\nuuid: {uuid}\n---\ny")
    third = write_seed("c.md", "---\ntitle: Other\nslug: first\n---\nz")
    code, lines = run_import(first.parent)
    assert code == 1
    assert lines[2] == f"failed {third} first slug: 'first' is already taken by {first} in this import"
    assert list(Article.objects.values_list("slug", flat=True)) == ["second"]


def test_the_writer_holds_the_articles_of_one_group_of_files_not_every_article(
    db, write_seed, run_import, monkeypatch
):
    """Issue 11: the writer's memory flat with the files of a run. Each group's articles are looked
    up in one query and dropped with the group; the database's other articles are never loaded."""
    for _ in range(6):
        make_article()
    for number in range(12):
        write_seed(f"{number:02}.md", f"---\ntitle: T{number}\nslug: s{number}\n---\nBody {number}.")
    monkeypatch.setattr(importer, "GROUP_SIZE", 4)
    held = []
    remember = ArticleIdentities.remember
    monkeypatch.setattr(
        ArticleIdentities,
        "remember",
        lambda self, known: remember(self, known) or held.append(len(self.by_pk)),
    )
    for outcome in ("created", "unchanged"):
        held.clear()
        code, lines = run_import(write_seed("00.md", "---\ntitle: T0\nslug: s0\n---\nBody 0.").parent)
        assert code == 0
        assert lines[-1].startswith(
            "12 created" if outcome == "created" else "0 created, 0 updated, 12 unchanged"
        )
        assert 0 < max(held) <= 4
