from django.http import HttpResponse
from django.urls import path


def ping(request):
    """A small constant answer: what the stock middleware and URL resolution cost, nothing more."""
    return HttpResponse("pong")


urlpatterns = [path("ping", ping)]
