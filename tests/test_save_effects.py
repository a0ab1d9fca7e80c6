"""What follows a save, whoever saves (the admin, a restored version, an import): a redirect from the
old address, rendition files, the search vector; and none of it when the save is rolled back."""

import uuid
from contextlib import suppress
from io import StringIO

import pytest
from django.contrib.redirects.models import Redirect
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from articles.models import Article, Status
from articles.search_vectors import made_ahead

from .conftest import stored_files
from .factories import admin_form_data, make_article, uploaded_image

pytestmark = pytest.mark.django_db


class _RolledBack(Exception):
    pass


def _body_image():
    """A 1200px image stored for a body, under a name no other test uses; (its URL, its stem)."""
    stem = uuid.uuid4().hex
    name = default_storage.save(f"articles/uploads/{stem}.png", uploaded_image(size=(1200, 600)))
    return default_storage.url(name), stem


def _renditions_of(stem, folder):
    return {name for name in stored_files(f"renditions/{folder}") if name.startswith(stem)}


def _redirects():
    return dict(Redirect.objects.values_list("old_path", "new_path"))


def test_a_rolled_back_save_writes_no_redirect_and_no_rendition_file(django_capture_on_commit_callbacks):
    article = make_article(slug="before")
    url, stem = _body_image()
    cover = uuid.uuid4().hex
    with django_capture_on_commit_callbacks(execute=True), suppress(_RolledBack), transaction.atomic():
        article.slug = "after"
        article.body = f"![A chart]({url})"
        article.image = uploaded_image(f"{cover}.png", size=(1000, 500))
        article.save()
        assert "960w" in article.body_html  # the page would refer to renditions...
        raise _RolledBack
    assert _renditions_of(stem, "articles/uploads") == set()  # ...but none was written
    assert _renditions_of(cover, "articles/covers") == set()
    assert _redirects() == {}
    assert Article.objects.get(pk=article.pk).slug == "before"


def test_a_committed_save_writes_the_redirect_and_the_rendition_files(django_capture_on_commit_callbacks):
    article = make_article(slug="before")
    url, stem = _body_image()
    with django_capture_on_commit_callbacks(execute=True):
        article.slug = "after"
        article.body = f"![A chart]({url})"
        article.save()
    assert _redirects() == {"/blog/before": "/blog/after"}
    assert _renditions_of(stem, "articles/uploads") == {
        f"{stem}-{width}w.{ext}" for width in (480, 960) for ext in ("png", "webp")
    } | {f"{stem}-1200w.webp"}


def _change_in_admin(client, article, **changes):
    response = client.post(
        f"/admin/articles/article/{article.pk}/change/", admin_form_data(article, **changes)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Article.objects.get(pk=article.pk)


def test_an_admin_edit_leaves_a_redirect_and_renditions(admin_client, django_capture_on_commit_callbacks):
    article = make_article(slug="before")
    cover = uuid.uuid4().hex
    with django_capture_on_commit_callbacks(execute=True):
        _change_in_admin(
            admin_client, article, slug="after", image=uploaded_image(f"{cover}.png", size=(1000, 500))
        )
    edited = Article.objects.get(pk=article.pk)
    assert _redirects() == {"/blog/before": "/blog/after"}
    assert edited.image_renditions["source"] == edited.image.name
    assert all(default_storage.exists(name) for _, name in edited.image_renditions["webp"])


def test_a_restored_version_gets_its_redirect_and_its_image_renditions_back(
    admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(slug="first")
        article.image = uploaded_image(f"{uuid.uuid4().hex}.png", size=(800, 400))
        article.save()
        first_version, first_image = article.history.first(), article.image.name
        _change_in_admin(
            admin_client, article, slug="second", image=uploaded_image(f"{uuid.uuid4().hex}.png")
        )
    revert_url = f"/admin/articles/article/{article.pk}/history/{first_version.history_id}/"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(revert_url, admin_form_data(article, slug="first"))
    assert response.status_code == 302
    restored = Article.objects.get(pk=article.pk)
    assert (restored.slug, restored.image.name) == ("first", first_image)
    assert _redirects() == {"/blog/second": "/blog/first"}  # and /blog/first is live again
    assert restored.image_renditions["source"] == first_image


@pytest.mark.postgresql
def test_admin_restore_and_import_keep_the_search_vector_current(
    admin_client, write_seed, django_capture_on_commit_callbacks
):
    article = make_article(title="Alpha")
    first_version = article.history.first()
    _change_in_admin(admin_client, article, title="Omega")
    assert list(Article.objects.search("omega")) == [article]
    assert not Article.objects.search("alpha").exists()
    revert_url = f"/admin/articles/article/{article.pk}/history/{first_version.history_id}/"
    admin_client.post(revert_url, admin_form_data(article, title="Alpha"))
    assert list(Article.objects.search("alpha")) == [article]
    path = write_seed("a.md", "---\ntitle: Zebra crossings\n---\nStriped.")
    call_command("import_seeds", str(path), stdout=StringIO())
    assert Article.objects.search("zebra").get().title == "Zebra crossings"


@pytest.mark.postgresql
def test_an_import_writes_new_vectors_in_their_inserts_changed_ones_in_one_update_a_batch(write_seed):
    """A new article's vector is in its INSERT (an UPDATE after it wrote every new row twice); the
    changed articles of a batch get theirs in one UPDATE; a failed file gets none."""
    for number in range(3):
        write_seed(f"new/{number}.md", f"---\ntitle: Zebra {number}\n---\nStriped {number}.")
    broken = write_seed("new/3.md", "---\ntitle: Broken\nslug: zebra-0\n---\nTaken slug.")
    with CaptureQueriesContext(connection) as queries, pytest.raises(CommandError):
        call_command("import_seeds", str(broken.parent), stdout=StringIO())
    vectors = [query["sql"] for query in queries if "to_tsvector" in query["sql"]]
    assert len(vectors) == 3 and all(sql.startswith("INSERT") for sql in vectors), vectors
    assert sorted(Article.objects.search("zebra").values_list("title", flat=True)) == [
        "Zebra 0",
        "Zebra 1",
        "Zebra 2",
    ]
    assert not Article.objects.search("broken").exists()
    broken.unlink()
    for number in range(2):
        write_seed(f"new/{number}.md", f"---\ntitle: Zebra {number}\n---\nOkapi {number}.")
    with CaptureQueriesContext(connection) as queries:
        call_command("import_seeds", str(broken.parent), stdout=StringIO())
    vectors = [query["sql"] for query in queries if "to_tsvector" in query["sql"]]
    assert len(vectors) == 1 and vectors[0].startswith("UPDATE"), vectors
    assert Article.objects.search("okapi").count() == 2


@pytest.mark.postgresql
def test_a_new_articles_vector_is_the_one_its_update_would_write():
    """search_vector_of (the INSERT's, from the article's values) and SEARCH_VECTOR (an UPDATE's, from
    its columns) agree, in every language case: its locale's, the site's, one PostgreSQL cannot stem."""
    for locale in ("", "fr", "pt-BR", "EN", "xx", "de_AT"):
        article = make_article(
            title="Les chats mangeaient", excerpt="Running dogs", body="Die Häuser standen.", locale=locale
        )
        inserted = Article.objects.values_list("search_vector", flat=True).get(pk=article.pk)
        Article.objects.filter(pk=article.pk).refresh_search_vector()
        updated = Article.objects.values_list("search_vector", flat=True).get(pk=article.pk)
        assert inserted == updated, locale


@pytest.mark.postgresql
def test_a_vector_made_ahead_is_the_one_its_insert_would_make_and_taken_only_for_its_values():
    """search_vectors.made_ahead (an import's workers, on a connection of their own) makes what the
    INSERT would, in every language case; an INSERT takes it only while the article still has the
    values it was made of, and makes its own otherwise."""
    for locale in ("", "fr", "pt-BR", "xx"):
        values = {"title": "Les chats mangeaient", "excerpt": "Running dogs", "body": "Die Häuser standen."}
        ahead, stale = made_ahead(
            [
                Article(**values, locale=locale),
                Article(**{**values, "body": "Zebra 1234."}, locale=locale),
            ],
            connection,
        )
        for made, body in ((ahead, values["body"]), (stale, "Okapi 4711.")):
            article = make_article(**{**values, "body": body}, locale=locale, search_vector_ahead=made)
            inserted = Article.objects.values_list("search_vector", flat=True).get(pk=article.pk)
            Article.objects.filter(pk=article.pk).refresh_search_vector()
            updated = Article.objects.values_list("search_vector", flat=True).get(pk=article.pk)
            assert inserted == updated, (locale, body)
            assert "1234" not in inserted and ("4711" in inserted) is (made is stale)


@pytest.mark.postgresql
def test_the_search_vector_is_written_again_only_by_a_save_that_changed_its_text():
    article = make_article(title="Alpha")  # its vector was written by its INSERT
    with CaptureQueriesContext(connection) as queries:
        article.status = Status.DRAFT
        article.save()
    assert not [query for query in queries if "to_tsvector" in query["sql"]]
    assert Article.objects.search("alpha").get() == article  # kept, not overwritten by the instance
    with CaptureQueriesContext(connection) as queries:
        article.body = "Zebra crossings."
        article.save()
    assert [query for query in queries if "to_tsvector" in query["sql"]]
    assert Article.objects.search("zebra").get() == article
