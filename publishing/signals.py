"""Every change of an article, author or tag goes to the outbox, whoever makes it: the admin (a
save, a bulk action, a restored version), the importer, a shell. The pre signals remember what
readers saw; the post signals write the one event of the transaction (outbox.py)."""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from articles.models import Article, Author, Tag

from .outbox import after_change, article_snapshot, before_change

# What of an author or a tag readers see on other pages (bylines, tag links, author pages).
SHOWN_FIELDS = {Author: ("name", "slug", "url"), Tag: ("name", "slug")}
SITE_KINDS = {Author: "author", Tag: "tag"}


@receiver(pre_save, sender=Article)
@receiver(pre_delete, sender=Article)
def article_will_change(sender, instance, raw=False, **kwargs):
    if not raw and instance.pk is not None:
        before_change(("article", instance.pk), article_snapshot(instance.pk))


@receiver(post_save, sender=Article)
def article_saved(sender, instance, created, raw=False, **kwargs):
    if raw:  # loaddata writes rows as they are
        return
    if created:  # nothing to remember from before: there was no row
        before_change(("article", instance.pk), lambda: None)
    after_change(("article", instance.pk), article_snapshot(instance.pk))


@receiver(post_delete, sender=Article)
def article_deleted(sender, instance, **kwargs):
    after_change(("article", instance.pk), lambda: None)


@receiver(m2m_changed, sender=Article.tags.through)
def article_tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    pks = [instance.pk] if not reverse else list(pk_set or ())
    if reverse and action in ("pre_clear", "post_clear"):
        return  # a tag's links cleared from its side: only done when deleting the tag (a site event)
    for pk in pks:
        if action.startswith("pre_"):
            before_change(("article", pk), article_snapshot(pk))
        else:
            after_change(("article", pk), article_snapshot(pk))


@receiver(pre_save, sender=Author)
@receiver(pre_save, sender=Tag)
@receiver(pre_delete, sender=Author)
@receiver(pre_delete, sender=Tag)
def named_will_change(sender, instance, raw=False, **kwargs):
    if not raw and instance.pk is not None:
        before_change((SITE_KINDS[sender], instance.pk), _shown(sender, instance.pk))


@receiver(post_save, sender=Author)
@receiver(post_save, sender=Tag)
@receiver(post_delete, sender=Author)
@receiver(post_delete, sender=Tag)
def named_changed(sender, instance, raw=False, created=False, **kwargs):
    if raw or created:  # a new author or tag is on no page yet
        return
    after_change((SITE_KINDS[sender], instance.pk), _shown(sender, instance.pk), site_kind=SITE_KINDS[sender])


def _shown(model, pk):
    return lambda: model.objects.filter(pk=pk).values_list(*SHOWN_FIELDS[model]).first()
