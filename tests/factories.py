"""Plain factory functions: keyword overrides, unique defaults."""

import io
import itertools
import json
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from articles.models import Article, Author, Status, Tag

_numbers = itertools.count(1)


def make_author(**overrides):
    number = next(_numbers)
    values = {"name": f"Author {number}", "slug": f"author-{number}"}
    values.update(overrides)
    return Author.objects.create(**values)


def make_article(**overrides):
    number = next(_numbers)
    values = {
        "title": f"Article {number}",
        "slug": f"article-{number}",
        "body": f"Body of article {number}.",
        "excerpt": f"Excerpt {number}.",
        "status": Status.PUBLISHED,
        "published": timezone.now() - timedelta(days=number),
    }
    values.update(overrides)
    # Set on the instance before its save, not a field: search_vectors.SearchVectorAhead.
    search_vector_ahead = values.pop("search_vector_ahead", None)
    article = Article(**values)
    article.search_vector_ahead = search_vector_ahead
    article.save(force_insert=True)
    return article


def tag(article, *names):
    """Add tags by name to `article` (created with a lower-case slug when new); returns the article."""
    for name in names:
        found, _ = Tag.objects.get_or_create(slug=name.lower(), defaults={"name": name})
        article.tags.add(found)
    return article


def image_bytes(fmt="PNG", size=(40, 30), *, color=None, frames=1, **save_options):
    """An RGB image file in Pillow's format `fmt`. Each frame has a colour no other call gives, unless
    `color` is set, so two tests' images never share a content-hash name and an animation's frames
    differ. `frames` > 1 makes an animation (GIF); `save_options` go to Pillow (exif=…, duration=…)."""
    images = [Image.new("RGB", size, color or _unused_colour()) for _ in range(frames)]
    if frames > 1:
        save_options.update(save_all=True, append_images=images[1:])
    buffer = io.BytesIO()
    images[0].save(buffer, format=fmt, **save_options)
    return buffer.getvalue()


def _unused_colour():
    number = next(_numbers)
    return (number * 53 % 256, number // 256 % 256, 255 - number % 256)


def uploaded_image(name="image.png", fmt="PNG", size=(40, 30), **image_options):
    """An image as a browser uploads it, for a form or an ImageField."""
    content_type = "image/jpeg" if fmt == "JPEG" else f"image/{fmt.lower()}"
    return SimpleUploadedFile(name, image_bytes(fmt, size, **image_options), content_type=content_type)


def admin_form_data(article, **changes):
    """The admin change form's fields for `article`, as a browser posts them, with `changes`."""
    data = {
        "title": article.title,
        "slug": article.slug,
        "author": article.author_id or "",
        "status": article.status,
        "published_0": article.published.strftime("%Y-%m-%d"),
        "published_1": article.published.strftime("%H:%M:%S"),
        "excerpt": article.excerpt,
        "body": article.body,
        "image_url": article.image_url,
        "created_0": article.created.strftime("%Y-%m-%d") if article.created else "",
        "created_1": article.created.strftime("%H:%M:%S") if article.created else "",
        "locale": article.locale,
        "canonical_url": article.canonical_url,
        "source_url": article.source_url,
        "extra": json.dumps(article.extra),
        "expires_0": "",
        "expires_1": "",
    }
    data.update(changes)
    return data
