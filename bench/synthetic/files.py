"""The plan written as front-matter Markdown files, for `import_seeds` and the import benchmark.

Three dialects, by article number (plan.STYLES): YAML as most sites write it (70%), Hugo's TOML
(20%) and dev.to's YAML (10%). Every file carries everything the plan says about its article, so
that importing the files leaves the rows database.py inserts (tests/test_synthetic.py checks it).
Files go 1,000 to a folder (000/, 001/, ...), in article order.
"""

import json

from .plan import DEFAULT_SEED, plan
from .text import body

# The key each dialect names the lead image with. The importer keeps it in Article.extra too (for
# an export), so database.py needs it as well.
LEAD_IMAGE_KEY = {"yaml": "image", "toml": "image", "devto": "cover_image"}


def write_files(folder, count, *, seed=DEFAULT_SEED, now=None, bodies=None):
    """Write `count` articles under `folder`; return their paths. `bodies`: as plan()'s (None: each
    article its own body, as a real archive has)."""
    paths = []
    for article in plan(count, seed=seed, now=now, bodies=bodies):
        sub = folder / f"{article.number // 1000:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        path = sub / f"article-{article.number:06d}.md"
        path.write_text(front_matter(article) + body(seed, article.body_number), encoding="utf-8")
        paths.append(path)
    return paths


def _when(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def front_matter(article):
    """The article's front matter in its dialect, delimiters included."""
    quoted = json.dumps  # a JSON string is a valid YAML and TOML string for this text
    author = article.author
    if article.style == "toml":
        lines = [
            f"title = {quoted(article.title)}",
            f"slug = {quoted(article.slug)}",
            article.published and f"date = {_when(article.published)}",
            f"lastmod = {_when(article.updated)}",
            article.expires and f"expiryDate = {_when(article.expires)}",
            f"draft = {'true' if article.status == 'draft' else 'false'}",
            f"summary = {quoted(article.excerpt)}",
            f"tags = [{', '.join(quoted(tag.name) for tag in article.tags)}]",
            author
            and (
                f"author = {{ name = {quoted(author.name)}, url = {quoted(author.url)} }}"
                if author.url
                else f"author = {quoted(author.name)}"
            ),
            article.image_url and f"image = {quoted(article.image_url)}",
        ]
        return "+++\n" + "".join(f"{line}\n" for line in lines if line) + "+++\n"
    author_line = author and (
        f"author: {{name: {quoted(author.name)}, url: {quoted(author.url)}}}"
        if author.url
        else f"author: {quoted(author.name)}"
    )
    if article.style == "devto":
        lines = [
            f"title: {quoted(article.title)}",
            f"published: {'false' if article.status == 'draft' else 'true'}",
            article.published and f"published_at: {_when(article.published)}",
            f"updated_at: {_when(article.updated)}",
            article.expires and f"expires: {_when(article.expires)}",
            f"description: {quoted(article.excerpt)}",
            f"tags: {', '.join(tag.name for tag in article.tags)}",
            article.image_url and f"cover_image: {article.image_url}",
            f"slug: {article.slug}",
            author_line,
        ]
    else:
        lines = [
            f"title: {quoted(article.title)}",
            f"slug: {article.slug}",
            author_line,
            article.status == "draft" and "status: draft",
            article.published and f"date: {_when(article.published)}",
            f"updated: {_when(article.updated)}",
            article.expires and f"expires: {_when(article.expires)}",
            f"description: {quoted(article.excerpt)}",
            f"tags: [{', '.join(tag.name for tag in article.tags)}]",
            f"source: {article.source}",
            f"source_id: {quoted(article.source_id)}",
            article.image_url and f"image: {article.image_url}",
        ]
    return "---\n" + "".join(f"{line}\n" for line in lines if line) + "---\n"
