"""Responsive renditions of images in our storage: a few narrower copies, each as WebP and in the
original format, at `renditions/<name>-<width>w.<ext>`.

Planning and writing are apart. `plan()` only reads: it checks the stored image and names its
renditions, which is all the rendered HTML (srcset, width, height) needs, so Article.save() can
render with it. `write()` makes the files that are not there yet, and runs once the save commits
(signals.py), so a rolled-back save leaves no file behind. A plan is a small dict stored on the
article; pages turn it into srcset strings without touching the files.
"""

import html
import logging
import re
from io import BytesIO
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from . import FORMAT_BY_EXTENSION, FORMATS, ImageError, open_checked

logger = logging.getLogger(__name__)

# Phone, tablet/laptop column, and a high-density laptop column (the text column is 42rem).
RENDITION_WIDTHS = (480, 960, 1440)
SIZES = "(min-width: 45rem) 42rem, calc(100vw - 2.5rem)"


def plan(name, storage=default_storage):
    """{"source", "width", "height", "webp": [[w, name], …], "original": [[w, name], …]} for the stored
    image `name`, or {} when it is missing or refused by the check. Writes nothing. Widths above the
    original's are not planned (no upscaling); the original itself is always the widest candidate."""
    try:
        with storage.open(name) as file:
            image = open_checked(file.read())
    except (ImageError, OSError):
        return {}
    width, height = image.size
    image_format = FORMATS[image.format]
    narrower = [w for w in RENDITION_WIDTHS if w < width]
    webp = [[w, _rendition_name(name, w, "webp")] for w in narrower]
    webp.append([width, name if image_format.extension == "webp" else _rendition_name(name, width, "webp")])
    if image_format.extension == "webp":
        original = webp
    elif image_format.resized_copies:
        original = [[w, _rendition_name(name, w, image_format.extension)] for w in narrower]
        original.append([width, name])
    else:
        original = [[width, name]]
    return {"source": name, "width": width, "height": height, "webp": webp, "original": original}


def write(renditions, storage=default_storage):
    """Make the files of a plan that are not in storage yet; an existing file is kept, so writing a
    plan again costs one existence check per file. A source that cannot be decoded is logged."""
    if not renditions:
        return
    source = renditions["source"]
    # By name: for a WebP source the two lists are one.
    candidates = {target: w for w, target in [*renditions["webp"], *renditions["original"]]}
    missing = {
        target: w for target, w in candidates.items() if target != source and not storage.exists(target)
    }
    if not missing:
        return
    try:
        with storage.open(source) as file:
            image = open_checked(file.read())
            image.load()
        for target, w in missing.items():
            _save(_resized(image, w), target, storage)
    except (ImageError, OSError) as exc:
        logger.warning("renditions of %s were not made: %s", source, exc)


def make(name, storage=default_storage):
    """plan() and write() at once, for an image already in storage; the plan."""
    renditions = plan(name, storage)
    write(renditions, storage)
    return renditions


def _rendition_name(name, width, extension):
    path = PurePosixPath(name)
    return str(PurePosixPath("renditions") / path.parent / f"{path.stem}-{width}w.{extension}")


def _resized(image, width):
    if width == image.width:
        return image
    return image.resize((width, round(image.height * width / image.width)), Image.Resampling.LANCZOS)


def _save(image, target, storage):
    pil_format = FORMAT_BY_EXTENSION[PurePosixPath(target).suffix[1:]]
    if pil_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    buffer = BytesIO()
    image.save(buffer, format=pil_format, quality=82)
    storage.save(target, ContentFile(buffer.getvalue()))


_IMG = re.compile(r"<img (?P<attrs>[^>]*?)\s*/?>")
_SRC = re.compile(r'\bsrc="(?P<src>[^"]*)"')


def responsive_body_images(body_html, storage=default_storage):
    """(html, plans): rendered, sanitized HTML with each image from our own storage given renditions
    (<picture> with a WebP <source>, srcset, sizes, width and height), and the plans it refers to,
    for write() once the save commits. Other images are left as render() made them (lazy-loaded).
    Runs in Article.save(): file reads belong there, not in the pure renderer."""
    media_prefix = storage.url("")
    plans = []

    def rewrite(match):
        attrs = match.group("attrs")
        src = _SRC.search(attrs)
        path = urlsplit(html.unescape(src.group("src"))).path if src else ""
        renditions = {}
        if media_prefix and path.startswith(media_prefix) and ".." not in path:
            renditions = plan(unquote(path[len(media_prefix) :]), storage)
        if not renditions:
            return f"<img {attrs}>"
        plans.append(renditions)
        if "width=" not in attrs:
            attrs += f' width="{renditions["width"]}" height="{renditions["height"]}"'
        attrs += f' srcset="{html.escape(srcset(renditions["original"], storage))}" sizes="{SIZES}"'
        webp = html.escape(srcset(renditions["webp"], storage))
        return f'<picture><source type="image/webp" srcset="{webp}" sizes="{SIZES}"><img {attrs}></picture>'

    return _IMG.sub(rewrite, body_html), plans


def srcset(candidates, storage=default_storage):
    """'url 480w, url 960w' from [[width, name], …]."""
    return ", ".join(f"{storage.url(name)} {width}w" for width, name in candidates)
