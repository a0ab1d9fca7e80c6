"""/healthz for load balancers: 200 "ok" when the database answers, 503 otherwise (fast: the
database connect timeout is short, see DATABASES in settings)."""

from django.db import DatabaseError, connection
from django.http import HttpResponse


def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    response = HttpResponse("ok\n", content_type="text/plain")
    response["Cache-Control"] = "no-store"
    return response


def ping(request):
    """A constant response through the whole middleware stack: the floor that `make bench-serve`
    measures pages against (no database, no template)."""
    return HttpResponse("pong\n", content_type="text/plain")
