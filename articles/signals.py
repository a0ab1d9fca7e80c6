"""What follows a change of content, in one place, whoever saved: the admin, a restored version, an
import, a shell.

article_saved is the place for "after an article changed". What it writes to the database (search
vector, redirect from an old address) it writes inside the save's transaction, so a rollback takes
it back together with the row. Files (renditions) are written only once that transaction commits,
so a rolled-back save leaves none. Cached pages, the edge and other systems hear of a change through
its publish event (publishing/outbox.py), which is written in the same transaction.
"""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from .images import renditions
from .models import Article
from .redirects import redirect_old_path


@receiver(post_save, sender=Article)
def article_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:  # loaddata writes rows as they are, without Article.save() and its rendering
        return
    inserted = instance.__dict__.pop("search_vector_inserted", False)
    if instance.search_text_changed(update_fields) and not inserted:
        if getattr(instance, "defer_search_vector", False):
            # The saver refreshes it, with others', in one UPDATE in this transaction (the importer:
            # once per batch of files, not a round trip per file; issue 11).
            instance.search_vector_stale = True
        else:
            Article.objects.filter(pk=instance.pk).refresh_search_vector()
    old_url = instance.previous_url
    if old_url and old_url != instance.get_absolute_url():
        redirect_old_path(old_url, instance.get_absolute_url())
    for plan in instance.body_image_renditions:
        transaction.on_commit(partial(renditions.write, plan))
    source = instance.image.name if instance.image else ""
    if instance.image_renditions.get("source", "") != source:
        # A new lead image: its file may itself be written on commit (an import's), so the
        # renditions are made after it. An unchanged image keeps the renditions it has.
        transaction.on_commit(partial(_make_lead_image_renditions, instance, source))


def _make_lead_image_renditions(article, source):
    made = renditions.make(source) if source else {}
    # Only if the lead image is still that one: a later save may have changed it since.
    Article.objects.filter(pk=article.pk, image=source).update(image_renditions=made)
    if (article.image.name if article.image else "") == source:
        article.image_renditions = made
