"""The "Editors" group: add and change articles, authors and tags; nothing on users or groups.

Created by a post_migrate handler, not a data migration: on a fresh database the model permissions
only exist once auth's own post_migrate handler has run for this app, which happens just before ours
(auth is earlier in INSTALLED_APPS, so its handler was connected first).
"""

from django.db import DEFAULT_DB_ALIAS

EDITORS_GROUP = "Editors"
EDITOR_PERMISSIONS = [
    ("articles", f"{action}_{model}")
    for model in ("article", "author", "tag")
    for action in ("add", "change")
]


def create_editors_group(using=DEFAULT_DB_ALIAS, apps=None, **kwargs):
    """Create the group or give it back missing permissions. Permissions an admin added to the group
    by hand are kept, so a deploy's migrate does not undo a local decision."""
    from django.contrib.auth.models import Group, Permission

    wanted = Permission.objects.using(using).filter(
        content_type__app_label="articles",
        codename__in=[codename for _, codename in EDITOR_PERMISSIONS],
    )
    if wanted.count() < len(EDITOR_PERMISSIONS):
        return  # permissions not created (yet): e.g. migrate ran with a subset of apps
    group, _ = Group.objects.using(using).get_or_create(name=EDITORS_GROUP)
    group.permissions.add(*wanted)
