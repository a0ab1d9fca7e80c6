"""Django set up for a timing script run against a built site, from this tree or another checkout
(an unpacked `git archive` of another commit, to compare two on one database): DEBUG off, no cache
(every page rendered), the settings module of that checkout. Used by bench/search_bench.py,
bench/tag_pages.py and bench/tag_query.py, which import it before anything of Django's."""

import os
import sys
from pathlib import Path

THIS_TREE = Path(__file__).resolve().parent.parent


def set_up(root=THIS_TREE):
    """Import the site's code from `root` (first on the path, and the working directory) and set
    Django up for it, with DATABASE_URL and the rest from the environment."""
    root = str(root)
    sys.path.insert(0, root)
    os.chdir(root)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-not-secret")
    os.environ.update(DJANGO_DEBUG="0", CACHE_URL="dummycache://", DJANGO_ALLOWED_HOSTS="testserver")

    import django

    django.setup()


def tags_readers_meet(count, seed, column="tag__slug"):
    """`count` tags picked as readers meet them: a random public article's tag (one of its tags, by
    sorted `column`), so most are popular and the tail is long. The same seed, the same tags."""
    import random

    from articles.models import Article

    rng = random.Random(seed)
    public = list(Article.objects.published().order_by("pk").values_list("pk", flat=True))
    links = Article.tags.through.objects
    return [
        rng.choice(sorted(links.filter(article_id=pk).values_list(column, flat=True)))
        for pk in rng.sample(public, count)
    ]
