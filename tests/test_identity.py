"""Identity across re-imports, tags, and old paths that keep working (301)."""

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
