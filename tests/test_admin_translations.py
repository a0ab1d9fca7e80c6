"""Translations in the admin: the set and the missing languages on the change form, a translation
started from the source (a draft in its set, its fields copied), a change list filtered by language."""

import pytest

from articles.models import Article

from .factories import make_article, tag
from .html import parse, submitted_form

CHANGELIST = "/admin/articles/article/"


@pytest.fixture
def editing(client, editor, settings):
    settings.SITE_LANGUAGES = ["en", "fr", "de"]
    client.force_login(editor)
    return client


def test_the_change_form_shows_the_set_and_offers_the_missing_languages(editing):
    english = make_article(slug="hello", title="Hello", translation_key="greeting")
    make_article(slug="bonjour", title="Bonjour", translation_key="greeting", locale="fr", status="draft")
    html = editing.get(f"{CHANGELIST}{english.pk}/change/").content.decode()
    panel = html.split('class="translations-panel"')[1].split("</div>")[0]
    assert ">Bonjour</a> (français) - draft" in panel
    assert "Missing: de." in panel
    assert (
        f'href="/admin/articles/article/add/?translation_of={english.pk}&amp;locale=de">Deutsch</a>' in panel
    )


def test_adding_a_translation_copies_the_source_into_a_draft_of_its_set(editing):
    source = tag(
        make_article(slug="hello", title="Hello", body="Original text.", excerpt="Short."), "greetings"
    )
    assert source.translation_key == ""
    page = editing.get(f"{CHANGELIST}add/", {"translation_of": source.pk, "locale": "de"})
    data = submitted_form(page.content.decode())
    assert (data["title"], data["body"], data["excerpt"], data["locale"], data["status"]) == (
        "Hello",
        "Original text.",
        "Short.",
        "de",
        "draft",
    )
    data.update(title="Hallo", slug="hallo", body="Ursprünglicher Text.")
    response = editing.post(f"{CHANGELIST}add/?translation_of={source.pk}&locale=de", data)
    assert response.status_code == 302
    german, source = Article.objects.get(slug="hallo"), Article.objects.get(pk=source.pk)
    assert german.translation_key == source.translation_key != ""  # the source joined the set it started
    assert german.status == "draft" and [t.slug for t in german.tags.all()] == ["greetings"]


def test_the_change_list_filters_by_language(editing):
    make_article(slug="hello", title="Hello")  # no locale: the site's language
    make_article(slug="hi", title="Hi", locale="en")
    make_article(slug="bonjour", title="Bonjour", locale="fr")

    def titles(language):
        html = editing.get(CHANGELIST, {"language": language}).content.decode()
        return {text for text in parse(html).texts.get("a", []) if text in {"Hello", "Hi", "Bonjour"}}

    assert titles("en") == {"Hello", "Hi"}
    assert titles("fr") == {"Bonjour"}
