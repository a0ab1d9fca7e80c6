"""Roles: the Editors group exists after every migrate with exactly its permissions; editors work on
articles, authors and tags, never on users, groups or deletions; only staff enter the admin."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management.sql import emit_post_migrate_signal

from articles.models import Article
from articles.roles import EDITORS_GROUP

CHANGELIST = "/admin/articles/article/"


@pytest.mark.django_db(transaction=True)
def test_editors_group_exists_after_migrate_with_exactly_its_permissions():
    # transaction=True: the test database is flushed and post_migrate runs again, as on a fresh
    # database; the group must come from that handler, not from a fixture.
    perms = Group.objects.get(name=EDITORS_GROUP).permissions.all()
    assert sorted(f"{p.content_type.app_label}.{p.codename}" for p in perms) == [
        "articles.add_article",
        "articles.add_author",
        "articles.add_tag",
        "articles.change_article",
        "articles.change_author",
        "articles.change_tag",
    ]


def test_migrate_recreates_the_group_and_keeps_permissions_added_by_hand(db):
    def migrate_finished():  # what every `migrate` ends with, without its seconds of checks
        emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    Group.objects.filter(name=EDITORS_GROUP).delete()
    migrate_finished()
    group = Group.objects.get(name=EDITORS_GROUP)
    assert group.permissions.count() == 6
    group.permissions.add(Permission.objects.get(codename="delete_tag"))
    migrate_finished()
    assert group.permissions.count() == 7


def test_editor_can_use_articles_but_not_users_or_groups(client, editor, seed_article):
    client.force_login(editor)
    assert client.get(CHANGELIST).status_code == 200
    assert client.get(f"{CHANGELIST}{seed_article.pk}/change/").status_code == 200
    assert client.get("/admin/articles/author/add/").status_code == 200
    assert client.get("/admin/articles/tag/add/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 403
    assert client.get("/admin/auth/group/").status_code == 403
    assert client.post(f"{CHANGELIST}{seed_article.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Article.objects.filter(pk=seed_article.pk).exists()


def test_non_staff_user_is_refused_by_the_admin(client, reader, seed_article):
    reader.groups.add(Group.objects.get(name=EDITORS_GROUP))
    client.force_login(reader)
    response = client.get(f"{CHANGELIST}{seed_article.pk}/change/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
