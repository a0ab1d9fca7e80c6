"""/healthz for load balancers: 200 "ok" when the database answers and publish events are being
delivered, 503 otherwise (fast: the database connect timeout is short, see DATABASES in settings).

A worker that is not running must not go unnoticed: events would pile up with nobody purging the
edge or calling webhooks. So a delivery overdue by more than PUBLISHING_STALL_SECONDS is a 503
too, naming how long it has waited."""

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpResponse

from publishing.recovery import oldest_overdue_seconds


def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        overdue = oldest_overdue_seconds()
    except DatabaseError:
        return _answer("database unavailable\n", status=503)
    if overdue > settings.PUBLISHING_STALL_SECONDS:
        return _answer(
            f"publish events stalled: a delivery has been due for {overdue:.0f} s "
            f"(more than PUBLISHING_STALL_SECONDS={settings.PUBLISHING_STALL_SECONDS}); is publish_worker running?\n",
            status=503,
        )
    return _answer("ok\n")


def _answer(text, status=200):
    response = HttpResponse(text, status=status, content_type="text/plain")
    response["Cache-Control"] = "no-store"
    return response


def ping(request):
    """A constant response through the whole middleware stack: the floor that `make bench-serve`
    measures pages against (no database, no template)."""
    return HttpResponse("pong\n", content_type="text/plain")
