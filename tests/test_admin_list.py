"""The admin's article list: each article's visibility and page link, filters (visibility, status,
author, tag), search, and the publish/unpublish actions that keep a version."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Status

from .factories import make_article, make_author

CHANGELIST = "/admin/articles/article/"


def _future(days=3):
    return timezone.now() + timedelta(days=days)


def _titles(response):
    return {article.title for article in response.context["cl"].result_list}


def _rows(html):
    """{title: (visibility cell, page link cell)} for each row of the list's table."""
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        title = re.search(r'<th class="field-title"><a [^>]*>(.*?)</a>', row)
        if title:
            visibility = re.search(r'<td class="field-visibility">(.*?)</td>', row, re.S).group(1)
            link = re.search(r'<td class="field-public_link">(.*?)</td>', row, re.S).group(1)
            rows[title.group(1)] = (visibility, link)
    return rows


def test_list_shows_visibility_and_public_link(client, editor):
    public = make_article(title="Out now")
    scheduled = make_article(title="Coming soon", published=_future())
    draft = make_article(title="Still a draft", status=Status.DRAFT)
    client.force_login(editor)
    rows = _rows(client.get(CHANGELIST).content.decode())
    assert rows["Out now"][0] == "Public"
    assert rows["Coming soon"][0].startswith("Scheduled for ")
    assert rows["Still a draft"][0] == "Draft"
    assert (
        f'href="{public.get_absolute_url()}"' in rows["Out now"][1]
        and ">View on site</a>" in rows["Out now"][1]
    )
    for title, article in (("Coming soon", scheduled), ("Still a draft", draft)):
        assert f'href="{article.get_absolute_url()}"' in rows[title][1] and ">Preview</a>" in rows[title][1]


@pytest.mark.parametrize(
    ("visibility", "expected"),
    [
        ("scheduled", {"Coming soon"}),
        ("public", {"Out now"}),
        ("draft", {"Still a draft"}),
        ("expired", {"Gone"}),
    ],
)
def test_visibility_filter(client, editor, visibility, expected):
    make_article(title="Out now")
    make_article(title="Coming soon", published=_future())
    make_article(title="Still a draft", status=Status.DRAFT)
    make_article(title="Gone", expires=timezone.now() - timedelta(hours=1))
    client.force_login(editor)
    assert _titles(client.get(CHANGELIST, {"visibility": visibility})) == expected


def test_list_filters_by_status_author_and_tag(client, editor):
    author = make_author(name="Ada")
    mine = make_article(title="Mine", author=author)
    mine.tags.create(name="Science", slug="science")
    make_article(title="Other")
    make_article(title="Unfinished", status=Status.DRAFT)
    client.force_login(editor)
    # The admin answers a field lookup in the address whether or not the sidebar offers it.
    sidebar = client.get(CHANGELIST).context["cl"].filter_specs
    assert {"status", "visibility", "author", "tags"} <= {str(spec.title) for spec in sidebar}
    for params, expected in (
        ({"author__id__exact": author.pk}, {"Mine"}),
        ({"tags__id__exact": mine.tags.get().pk}, {"Mine"}),
        ({"status__exact": "published"}, {"Mine", "Other"}),
        ({"status__exact": "draft"}, {"Unfinished"}),
    ):
        assert _titles(client.get(CHANGELIST, params)) == expected, params


def test_search_finds_title_and_body_and_nothing_else(client, editor):
    make_article(title="Outsourcing mistakes")
    make_article(title="Vendors", body="A rare word in the body: outsourcing.")
    make_article(title="Unrelated", body="Nothing to see here.")
    client.force_login(editor)
    response = client.get(CHANGELIST, {"q": "outsourcing"})
    assert response.status_code == 200
    assert _titles(response) == {"Outsourcing mistakes", "Vendors"}


def test_publish_and_unpublish_actions_keep_versions_and_mark_edited(client, editor):
    draft = make_article(title="Draft", status=Status.DRAFT, published=None)
    later = make_article(title="Later", status=Status.DRAFT, published=_future())
    client.force_login(editor)
    response = client.post(CHANGELIST, {"action": "publish", "_selected_action": [draft.pk, later.pk]})
    assert response.status_code == 302
    draft.refresh_from_db()
    later.refresh_from_db()
    assert draft.is_public and draft.edited_at is not None
    assert later.status == Status.PUBLISHED and later.is_scheduled  # a future date stays scheduled
    assert draft.history.count() == 2 and draft.history.first().history_user == editor

    client.post(CHANGELIST, {"action": "unpublish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and draft.history.count() == 3
