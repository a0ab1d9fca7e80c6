"""Cached pages follow the content: any saved or deleted article, author or tag makes them stale."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .models import Article, Author, Tag
from .page_cache import content_changed


@receiver(post_save, sender=Article)
@receiver(post_delete, sender=Article)
@receiver(post_save, sender=Author)
@receiver(post_delete, sender=Author)
@receiver(post_save, sender=Tag)
@receiver(post_delete, sender=Tag)
@receiver(m2m_changed, sender=Article.tags.through)
def pages_are_stale(**kwargs):
    # Now, and again once the change is committed: a page rendered from the old rows in between
    # would otherwise be cached under the new version.
    content_changed()
    transaction.on_commit(content_changed)
