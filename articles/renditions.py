"""Responsive renditions of local images (issue #4), made with Pillow once and reused.

For an image in our storage we write a few narrower copies, each as WebP and in the original format,
next to nothing else: `renditions/<name>-<width>w.<ext>`. A rendition that already exists is not
made again, so saving an article twice costs one existence check per file. The result is a small
dict stored on the article; pages turn it into srcset strings without touching the files."""

import html
import re
from io import BytesIO
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, UnidentifiedImageError

# Phone, tablet/laptop column, and a high-density laptop column (the text column is 42rem).
RENDITION_WIDTHS = (480, 960, 1440)
# Formats we copy as themselves; anything else (GIF animations, say) gets WebP renditions only.
ORIGINAL_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
SIZES = "(min-width: 45rem) 42rem, calc(100vw - 2.5rem)"


def make_renditions(name, storage=default_storage):
    """{"source", "width", "height", "webp": [[w, name], …], "original": [[w, name], …]} for the stored
    image `name`, or {} when it is not an image Pillow can read. Widths above the original's are
    not made (no upscaling); the original itself is always the widest candidate."""
    try:
        with storage.open(name) as file, Image.open(file) as image:
            image.load()
            source_format = image.format
            width, height = image.size
            renditions = {"source": name, "width": width, "height": height, "webp": [], "original": []}
            original_ext = ORIGINAL_FORMATS.get(source_format)
            for target in [w for w in RENDITION_WIDTHS if w < width]:
                resized = image.resize((target, round(height * target / width)), Image.Resampling.LANCZOS)
                renditions["webp"].append([target, _save(resized, name, target, "webp", "WEBP", storage)])
                if original_ext and original_ext != "webp":
                    renditions["original"].append(
                        [target, _save(resized, name, target, original_ext, source_format, storage)]
                    )
            renditions["webp"].append(
                [
                    width,
                    name if source_format == "WEBP" else _save(image, name, width, "webp", "WEBP", storage),
                ]
            )
            renditions["original"].append([width, name])
    except (UnidentifiedImageError, OSError):  # missing file, not an image, truncated image
        return {}
    if source_format == "WEBP":
        renditions["original"] = renditions["webp"]
    return renditions


def _save(image, name, width, ext, pil_format, storage):
    path = PurePosixPath(name)
    target = str(PurePosixPath("renditions") / path.parent / f"{path.stem}-{width}w.{ext}")
    if storage.exists(target):
        return target
    if pil_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    buffer = BytesIO()
    image.save(buffer, format=pil_format, quality=82)
    return storage.save(target, ContentFile(buffer.getvalue()))


_IMG = re.compile(r"<img (?P<attrs>[^>]*?)\s*/?>")
_SRC = re.compile(r'\bsrc="(?P<src>[^"]*)"')


def responsive_body_images(body_html, storage=default_storage):
    """Rendered, sanitized HTML with each image from our own storage given renditions: <picture> with
    a WebP <source>, srcset, sizes, width and height. Other images are left as render() made them
    (lazy-loaded). Runs in Article.save(): file reads belong there, not in the pure renderer."""
    media_prefix = storage.url("")

    def rewrite(match):
        attrs = match.group("attrs")
        src = _SRC.search(attrs)
        path = urlsplit(html.unescape(src.group("src"))).path if src else ""
        renditions = {}
        if media_prefix and path.startswith(media_prefix) and ".." not in path:
            renditions = make_renditions(unquote(path[len(media_prefix) :]), storage)
        if not renditions:
            return f"<img {attrs}>"
        if "width=" not in attrs:
            attrs += f' width="{renditions["width"]}" height="{renditions["height"]}"'
        attrs += f' srcset="{html.escape(srcset(renditions["original"], storage))}" sizes="{SIZES}"'
        webp = html.escape(srcset(renditions["webp"], storage))
        return f'<picture><source type="image/webp" srcset="{webp}" sizes="{SIZES}"><img {attrs}></picture>'

    return _IMG.sub(rewrite, body_html)


def srcset(candidates, storage=default_storage):
    """'url 480w, url 960w' from [[width, name], …]."""
    return ", ".join(f"{storage.url(name)} {width}w" for width, name in candidates)
