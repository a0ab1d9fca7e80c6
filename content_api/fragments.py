"""Article representations kept per process, by what each is made of: a fragment cache, as Rails'
"Russian doll" caching keeps a record's JSON by its cache key.

An uncached list (a page-cache miss: a new address, or the first read after a change) still runs
its queries, but most of the articles it shows were shown before, unchanged: converting their
rows, building them and making their dicts was about a third of its time. So each article's
representation is kept under the row the database gave (its columns, its author's and its tags'
(id, slug, name) as JSON text, before Django's converters), the response's shape and the site (scheme and
host, paths, time zone): any change to any of them is another key, so a kept representation can
never be stale, only unused. Only the rows not seen before are converted and represented.

Shapes with a body (formats=html, markdown, plaintext) are not kept: bodies are most of an
article's bytes, and a list of them is rare. KEPT representations of a few KB each, a process."""

import threading
from collections import OrderedDict

from django.core.signals import setting_changed
from django.dispatch import receiver

KEPT = 1024
_kept = OrderedDict()
_lock = threading.Lock()


def articles(made_of, context, represent, *, keep=True):
    """The representations of the articles `made_of` (a row each, hashable: what each article's
    representation is made of, its tags included, besides `context`), in order. `represent(rows)`
    makes those of the rows given, for the ones not kept."""
    if not keep:
        return represent(list(made_of))
    keys = [(context, row) for row in made_of]
    with _lock:
        try:
            found = [_kept.get(key) for key in keys]
        except TypeError:
            # A driver that gave a mutable value (a list, a dict) for some column: made each time.
            return represent(list(made_of))
        for key, representation in zip(keys, found, strict=True):
            if representation is not None:
                _kept.move_to_end(key)
    unseen = [index for index, representation in enumerate(found) if representation is None]
    if unseen:
        made = represent([made_of[index] for index in unseen])
        with _lock:
            for index, representation in zip(unseen, made, strict=True):
                found[index] = _kept[keys[index]] = representation
            while len(_kept) > KEPT:
                _kept.popitem(last=False)
    return found


def forget():
    with _lock:
        _kept.clear()


@receiver(setting_changed)
def _setting_changed(**kwargs):
    # Settings a representation reads but its key does not name (MEDIA_URL, storages): tests change them.
    forget()
