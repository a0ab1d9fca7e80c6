"""Two editors on one article: a save from a form older than the article is refused, and an editor
who opens an article is told who else has it open (as Ghost and Wagtail do).

A form carries the version it was loaded from: the id of the article's newest history row. Every
save that changes an article writes one (an admin save, a bulk action, a restore, an import), and a
save that changes nothing writes none, so the id moves exactly when the article did. The check
locks the row first: the admin saves in a transaction, so two saves of the same article one after
the other each see the other's version, never both the old one.
"""

from django import forms
from django.core.cache import cache
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from .body_diff import body_diff_html
from .models import Article

VERSION_FIELD = "loaded_version"
# How long an opened change page counts as "open" without a heartbeat (static/articles/admin/presence.js
# sends one a minute while the page is open).
PRESENCE_SECONDS = 150
# Fields a version records that the refusal lists when another save changed them.
_TRACKED = (
    "title",
    "slug",
    "author",
    "status",
    "published",
    "expires",
    "excerpt",
    "body",
    "image",
    "image_alt",
    "image_url",
    "created",
    "locale",
    "canonical_url",
    "source_url",
    "extra",
)


def current_version(article_pk):
    """The id of the article's newest version, or None when it has none yet."""
    history = Article.history.model.objects.filter(id=article_pk)
    return history.order_by("-history_id").values_list("history_id", flat=True).first()


def version_field(article):
    """The hidden field a change form carries: the version the editor is looking at."""
    return forms.IntegerField(
        required=False, widget=forms.HiddenInput, initial=current_version(article.pk) if article.pk else None
    )


def refuse_stale_save(article, loaded_version):
    """Raise a ValidationError when the article changed after its form was loaded at
    `loaded_version` (None: a form from before this check, or not from a browser: not checked)."""
    if article.pk is None or loaded_version is None:
        return
    # Hold the row until the admin's transaction ends: a second save waits for this one.
    list(Article.objects.select_for_update().filter(pk=article.pk).values_list("pk"))
    newest = current_version(article.pk)
    if newest is None or newest == loaded_version:
        return
    versions = Article.history.model.objects.filter(id=article.pk).select_related("history_user")
    theirs = versions.get(history_id=newest)
    yours = versions.filter(history_id=loaded_version).first()
    raise forms.ValidationError(stale_message(theirs, yours), code="stale")


def stale_message(theirs, yours):
    who = _name(theirs.history_user) if theirs.history_user else "An import or another process"
    when = timezone.localtime(theirs.history_date)
    changed = [name for name in _TRACKED if yours is None or getattr(yours, name) != getattr(theirs, name)]
    labels = [str(Article._meta.get_field(name).verbose_name) for name in changed]
    return format_html(
        "Not saved: {} saved this article at {} ({}), after you opened it, and your save would undo"
        " their changes. What they changed: {}. Copy your own changes, reload the page to see"
        " theirs, and make yours again.{}",
        who,
        f"{when:%Y-%m-%d %H:%M:%S}",
        timezone.get_current_timezone_name(),
        ", ".join(labels) or "nothing you can see here",
        body_diff_html(yours.body, theirs.body) if yours is not None and "body" in changed else "",
    )


def _name(user):
    return user.get_full_name() or user.get_username()


def _presence_key(article_pk):
    return f"article-editors-{article_pk}"


def note_open(article_pk, user):
    """Record that `user` has the article's change page open now; return the others who have it
    open: [(name, since)], oldest first."""
    now = timezone.now()
    present = {
        user_pk: (name, since, seen)
        for user_pk, (name, since, seen) in (cache.get(_presence_key(article_pk)) or {}).items()
        if (now - seen).total_seconds() < PRESENCE_SECONDS
    }
    name, since, _ = present.get(user.pk, (_name(user), now, now))
    present[user.pk] = (name, since, now)
    cache.set(_presence_key(article_pk), present, PRESENCE_SECONDS)
    others = [(name, since) for user_pk, (name, since, _) in present.items() if user_pk != user.pk]
    return sorted(others, key=lambda other: other[1])


def presence_notice(others):
    """The sentence an editor sees about the others who have the article open ('' for nobody)."""
    if not others:
        return ""
    people = format_html_join(
        ", ", "{} (since {})", ((name, f"{timezone.localtime(since):%H:%M}") for name, since in others)
    )
    return format_html(
        "Also open for editing by {}. If you both save, the second save will be refused; agree who edits.",
        people,
    )
