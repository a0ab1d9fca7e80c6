"""django-ninja (pydantic 2) against Django REST framework on the same article endpoint (issue 12's
library choice): the same query, the same JSON, each library's own way of declaring and serializing
it, uncached, timed in process through the WSGI handler (bench/wsgi_cost.py's request loop), the two
alternately so that a busy neighbour on a shared machine weighs on both.

    .venv/bin/python bench/api_libraries.py [--requests 1000] [--rounds 3]

Prints one line per library and round, then the medians and the ratio. Needs djangorestframework
and drf-spectacular installed only for this comparison (requirements.txt pins the chosen one)."""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from wsgi_cost import request

SLUG = "the-benchmarked-article"


def urlpatterns():
    from django.urls import path
    from ninja import NinjaAPI, Schema
    from rest_framework import serializers
    from rest_framework.renderers import JSONRenderer
    from rest_framework.response import Response
    from rest_framework.views import APIView

    from articles.models import Article

    def article(slug):
        return (
            Article.objects.published()
            .select_related("author")
            .prefetch_related("tags")
            .only("slug", "title", "excerpt", "body_html", "published", "updated", "author")
            .get(slug=slug)
        )

    class AuthorOut(Schema):
        slug: str
        name: str

    class TagOut(Schema):
        slug: str
        name: str

    class ArticleOut(Schema):
        slug: str
        title: str
        excerpt: str
        html: str
        published: str
        updated: str
        author: AuthorOut | None
        tags: list[TagOut]

        @staticmethod
        def resolve_html(obj):
            return obj.body_html

        @staticmethod
        def resolve_published(obj):
            return obj.published.isoformat()

        @staticmethod
        def resolve_updated(obj):
            return obj.updated.isoformat()

        @staticmethod
        def resolve_tags(obj):
            return list(obj.tags.all())

    api = NinjaAPI(urls_namespace="bench-ninja")

    def articles():
        return list(
            Article.objects.published()
            .select_related("author")
            .prefetch_related("tags")
            .only("slug", "title", "excerpt", "body_html", "published", "updated", "author")[:15]
        )

    @api.get("/articles/", response={200: dict[str, list[ArticleOut]]})
    def ninja_articles(request):
        return {"articles": articles()}

    @api.get("/articles/{slug}/", response={200: dict[str, list[ArticleOut]]})
    def ninja_article(request, slug: str):
        return {"articles": [article(slug)]}

    class AuthorSerializer(serializers.Serializer):
        slug = serializers.CharField()
        name = serializers.CharField()

    class TagSerializer(serializers.Serializer):
        slug = serializers.CharField()
        name = serializers.CharField()

    class ArticleSerializer(serializers.Serializer):
        slug = serializers.CharField()
        title = serializers.CharField()
        excerpt = serializers.CharField()
        html = serializers.CharField(source="body_html")
        published = serializers.SerializerMethodField()
        updated = serializers.SerializerMethodField()
        author = AuthorSerializer(allow_null=True)
        tags = TagSerializer(many=True)

        def get_published(self, obj):
            return obj.published.isoformat()

        def get_updated(self, obj):
            return obj.updated.isoformat()

    class DrfArticle(APIView):
        renderer_classes = [JSONRenderer]
        authentication_classes = []
        permission_classes = []

        def get(self, request, slug):
            return Response({"articles": [ArticleSerializer(article(slug)).data]})

    class DrfArticles(DrfArticle):
        def get(self, request):
            return Response({"articles": ArticleSerializer(articles(), many=True).data})

    return [
        path("ninja/", api.urls),
        path("drf/articles/", DrfArticles.as_view()),
        path("drf/articles/<slug:slug>/", DrfArticle.as_view()),
    ]


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=1000, help="requests a library a round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    work = tempfile.mkdtemp()
    os.environ.update(
        DJANGO_SETTINGS_MODULE="cms.settings",
        DJANGO_SECRET_KEY="bench-not-secret-but-long-enough-for-django-to-accept-it-0123456789",
        DJANGO_DEBUG="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,testserver",
        DATABASE_URL=f"sqlite:///{work}/db.sqlite3",
        CACHE_URL="locmemcache://",
        MEDIA_ROOT=f"{work}/media",
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from django.utils import timezone

    from articles.models import Article, Author, Tag

    call_command("migrate", verbosity=0)
    author = Author.objects.create(name="Jane Doe", slug="jane")
    tags = [Tag.objects.create(name=f"Tag {n}", slug=f"tag-{n}") for n in range(3)]
    for number in range(15):
        Article.objects.create(
            title=f"The benchmarked article {number}",
            slug=SLUG if number == 0 else f"{SLUG}-{number}",
            excerpt="What both libraries serve.",
            body="# Heading\n\n" + "A paragraph of *Markdown* text. " * 200,
            author=author,
            published=timezone.now() - timezone.timedelta(days=1 + number),
        ).tags.set(tags)

    import types

    module = types.ModuleType("bench_api_urls")
    module.urlpatterns = urlpatterns()
    sys.modules["bench_api_urls"] = module
    settings.ROOT_URLCONF = "bench_api_urls"
    app = get_wsgi_application()  # plain Django: no page cache in front, every request renders

    paths = {
        "ninja article": f"/ninja/articles/{SLUG}/",
        "drf article": f"/drf/articles/{SLUG}/",
        "ninja list of 15": "/ninja/articles/",
        "drf list of 15": "/drf/articles/",
    }
    bodies = {}
    for name, path in paths.items():
        from django.test import Client

        response = Client().get(path, headers={"x-forwarded-proto": "https"})
        assert response.status_code == 200, (name, response.status_code, response.content[:300])
        bodies[name] = response.json()
    for endpoint in ("article", "list of 15"):
        assert bodies[f"ninja {endpoint}"] == bodies[f"drf {endpoint}"], f"the {endpoint} JSON differs"
    for path in paths.values():
        for _ in range(100):
            request(app, path)
    costs = {name: [] for name in paths}
    for round_number in range(args.rounds):
        for name, path in paths.items():
            started = time.process_time()
            for _ in range(args.requests):
                request(app, path)
            costs[name].append((time.process_time() - started) / args.requests * 1e6)
            print(f"round={round_number + 1} {name} us={costs[name][-1]:.0f}")
    import ninja as ninja_module
    import pydantic
    import rest_framework

    print(
        f"django-ninja {ninja_module.__version__} (pydantic {pydantic.VERSION}), "
        f"DRF {rest_framework.VERSION}; median us a request:"
    )
    for endpoint in ("article", "list of 15"):
        ninja, drf = (statistics.median(costs[f"{library} {endpoint}"]) for library in ("ninja", "drf"))
        print(f"{endpoint}: ninja {ninja:.0f}, drf {drf:.0f}; drf/ninja = {drf / ninja:.2f}")


if __name__ == "__main__":
    main()
