"""Autosave keeps what an editor types beside the article, never in it, offers it back until the
editor saves, and shows it to nobody else (articles/autosaves.py, admin_editing.autosave_view)."""

import pytest
from django.test import Client

from articles.models import Article, Autosave
from publishing.models import Event

from .html import submitted_form

CHANGELIST = "/admin/articles/article/"


def autosave_url(article):
    return f"{CHANGELIST}{article.pk}/autosave/"


def typed(client, article, **changes):
    """The change form as the editor has it, with `changes` typed in."""
    data = submitted_form(client.get(f"{CHANGELIST}{article.pk}/change/").content.decode())
    data.update(changes)
    return data


@pytest.fixture
def editing(client, editor, seed_article):
    client.force_login(editor)
    return client


def test_an_autosave_keeps_the_text_beside_the_article_never_in_it(editing, seed_article):
    versions, events = seed_article.history.count(), Event.objects.count()
    answer = editing.post(autosave_url(seed_article), typed(editing, seed_article, body="Half a thought"))
    assert answer.status_code == 200 and answer.json()["autosave"]["fields"]["body"] == "Half a thought"
    stored = Article.objects.get(pk=seed_article.pk)
    assert stored.body == seed_article.body and stored.updated == seed_article.updated
    assert stored.history.count() == versions and Event.objects.count() == events

    offered = editing.get(autosave_url(seed_article)).json()["autosave"]
    assert offered["fields"]["body"] == "Half a thought" and offered["article_changed_since"] is False


def test_an_autosave_of_what_the_article_already_holds_is_not_offered(editing, seed_article):
    editing.post(autosave_url(seed_article), typed(editing, seed_article))  # CRLF line breaks, same text
    assert editing.get(autosave_url(seed_article)).json() == {"autosave": None}


def test_saving_the_article_or_discarding_drops_the_autosave(editing, seed_article):
    data = typed(editing, seed_article, body="Finished thought.")
    editing.post(autosave_url(seed_article), data)
    assert editing.post(f"{CHANGELIST}{seed_article.pk}/change/", data).status_code == 302
    assert not Autosave.objects.exists()

    editing.post(autosave_url(seed_article), typed(editing, seed_article, body="Another."))
    editing.post(autosave_url(seed_article), {"discard": "1"})
    assert editing.get(autosave_url(seed_article)).json() == {"autosave": None}


def test_an_autosave_is_the_editors_own(editing, seed_article, superuser):
    editing.post(autosave_url(seed_article), typed(editing, seed_article, body="Mine."))
    other = Client()
    other.force_login(superuser)
    assert other.get(autosave_url(seed_article)).json() == {"autosave": None}


def test_an_autosave_from_before_someone_elses_save_says_so(editing, seed_article, superuser):
    editing.post(autosave_url(seed_article), typed(editing, seed_article, body="Mine."))
    other = Client()
    other.force_login(superuser)
    other.post(f"{CHANGELIST}{seed_article.pk}/change/", typed(other, seed_article, excerpt="Theirs."))
    assert editing.get(autosave_url(seed_article)).json()["autosave"]["article_changed_since"] is True


def test_only_editors_may_autosave(client, reader, seed_article):
    client.force_login(reader)
    assert client.post(autosave_url(seed_article), {"body": "x"}).status_code in {302, 403, 404}
    assert not Autosave.objects.exists()
