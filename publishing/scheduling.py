"""Scheduled publishing and expiry as events, at their time, with no request arriving.

Readers' pages need no cron: `published()` reads the clock. Everything outside (the edge, webhooks)
must hear of it, though, so a save that leaves a publication or expiry time ahead queues a task
with run_after at that time. When it runs it looks at the article as it is then: if the time is
no longer the article's (rescheduled, unpublished, deleted) it does nothing; otherwise it writes
the event that the time passing is, once (its dedupe key), whoever runs it and however often.
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django_tasks import task

from articles.models import Status

from .affected import affected, snapshot
from .delivery import enqueue_event
from .models import Event

# How a moment passing changes what readers see: (public just before it, public after it).
TURNS = {"published": (False, True), "expires": (True, False)}


def schedule(article_id, moment, at):
    """Queue the event of `moment` ("published" or "expires", an ISO time `at`) of an article."""
    scheduled_change.using(run_after=datetime.fromisoformat(at)).enqueue(article_id, moment, at)


@task
def scheduled_change(article_id, moment, at):
    was_public, now_public = TURNS[moment]
    current = snapshot(article_id, neighbours=True)
    if (
        current is None
        or current["status"] != Status.PUBLISHED
        or current[moment] != at
        or current["public"] != now_public
        or (moment == "expires" and not (current["published"] and current["published"] < at))
    ):
        return  # changed since it was scheduled (that change wrote its own event), or never public
    found = affected({**current, "public": was_public}, current)
    if found is None:
        return
    try:
        with transaction.atomic():
            event = Event.objects.create(
                kind=found.kind,
                article_id=article_id,
                payload=current,
                keys=sorted(found.keys),
                paths=sorted(found.paths),
                occurred_at=datetime.fromisoformat(at),
                dedupe_key=f"{moment}:{article_id}:{at}",
            )
            enqueue_event(event)
    except IntegrityError:
        return  # this time's event is written already (the task ran twice)
