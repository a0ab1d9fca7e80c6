"""Autosave: what an editor types is kept on the server every few seconds (autosave.js), beside the
article, never in it. A published article's public fields change only when the editor presses Save;
after a crash, a closed tab or a lost connection, the change page offers the text back.

One autosave per editor and article, overwritten as they type, deleted when they save the article.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

# The form's text fields an autosave keeps: what an editor types, not choices they click.
AUTOSAVED_FIELDS = (
    "title",
    "slug",
    "excerpt",
    "body",
    "image_alt",
    "image_url",
    "locale",
    "canonical_url",
    "source_url",
)


class Autosave(models.Model):
    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="autosaves")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    fields = models.JSONField(help_text="The form's text fields as the editor left them.")
    base_version = models.BigIntegerField(
        null=True, blank=True, help_text="The article's version the editor's form was loaded from."
    )
    saved = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "user"], name="autosave_one_per_editor")]

    def __str__(self):
        return f"{self.user} on {self.article_id} at {self.saved:%Y-%m-%d %H:%M:%S}"


def keep(article, user, posted, base_version):
    """Store what the editor's form holds now (`posted`: the form's data); returns the Autosave."""
    fields = {name: posted[name] for name in AUTOSAVED_FIELDS if name in posted}
    autosave, _ = Autosave.objects.update_or_create(
        article=article,
        user=user,
        defaults={"fields": fields, "base_version": base_version, "saved": timezone.now()},
    )
    return autosave


def unsaved(article, user):
    """The editor's autosave of `article` when it holds text the article does not, else None."""
    autosave = Autosave.objects.filter(article=article, user=user).first()
    if autosave is None:
        return None
    if all(_same(getattr(article, name), value) for name, value in autosave.fields.items()):
        return None
    return autosave


def forget(article, user):
    Autosave.objects.filter(article=article, user=user).delete()


def _same(stored, typed):
    # Browsers send textarea line breaks as CRLF.
    return str(stored or "").replace("\r\n", "\n") == str(typed or "").replace("\r\n", "\n")
