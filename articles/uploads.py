"""Images from editors, verified and cleaned (issue 6): dropped or pasted into the body, or the cover.

clean_image(upload) returns (bytes, extension); store_body_image(upload) also stores them and returns
the URL. Both raise ImageRefused, whose str() is the message the editor sees. The file is judged by
what Pillow finds in its bytes, never by the name or content type the browser sent, and it is
re-encoded, so what is stored is pixels we decoded ourselves: no EXIF (GPS), no comments, nothing
appended after the image data.
"""

import io
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

# Pillow format name -> stored file extension. No SVG: it is a document that can carry script.
ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}


class ImageRefused(Exception):
    """An upload we do not store. str(exc) is the whole message the editor sees."""


def store_body_image(upload):
    cleaned, extension = clean_image(upload)
    name = f"{settings.EDITOR_UPLOAD_DIR.rstrip('/')}/{uuid.uuid4().hex}.{extension}"
    stored_name = default_storage.save(name, ContentFile(cleaned))
    return default_storage.url(stored_name)


def clean_image(upload):
    max_bytes = settings.EDITOR_UPLOAD_MAX_BYTES
    if upload.size > max_bytes:
        raise ImageRefused(
            f"The file is {upload.size / 2**20:.1f} MB; images may be at most "
            f"{max_bytes / 2**20:.0f} MB. Save it smaller and try again."
        )
    data = upload.read()
    if b"<svg" in data[:4096].lower():
        raise ImageRefused("SVG images are not accepted (they can carry script); export a PNG instead.")
    image = _open_verified(data)
    fmt = image.format
    if fmt not in ALLOWED_FORMATS:
        raise ImageRefused(f"This is a {fmt} image; upload a JPEG, PNG, WebP or GIF.")
    width, height = image.size
    frames = getattr(image, "n_frames", 1)
    max_pixels = settings.EDITOR_UPLOAD_MAX_PIXELS
    # Counted before decoding: a small file can decode into gigabytes (a decompression bomb).
    if width * height * frames > max_pixels:
        raise ImageRefused(
            f"The image is {width}×{height} pixels"
            f"{f' in {frames} frames' if frames > 1 else ''}; at most "
            f"{max_pixels / 1e6:.0f} megapixels are accepted. Scale it down and try again."
        )
    return _reencode(image, fmt, frames), ALLOWED_FORMATS[fmt]


def _open_verified(data):
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        return Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as exc:
        raise ImageRefused("This file is not an image we can read; upload a JPEG, PNG, WebP or GIF.") from exc


# Keys of Image.info that describe how to draw the pixels; every other key (exif, comment, xmp,
# text chunks, dpi) is metadata and is dropped.
KEPT_INFO = {"transparency", "duration", "loop", "background", "disposal", "icc_profile"}


def _reencode(image, fmt, frames):
    """The image's pixels in a new file of the same format, without its metadata."""
    try:
        if frames == 1:
            # Apply the camera's rotation before the EXIF that records it is dropped.
            image = ImageOps.exif_transpose(image)
            max_width = settings.EDITOR_IMAGE_MAX_WIDTH
            if image.width > max_width:
                image = image.copy()
                image.thumbnail((max_width, image.height), Image.Resampling.LANCZOS)
        options = {"save_all": True} if frames > 1 else {}
        if fmt == "JPEG":
            options.update(quality=88, optimize=True)
            if image.mode not in ("RGB", "L", "CMYK"):
                image = image.convert("RGB")
        image.info = {key: value for key, value in image.info.items() if key in KEPT_INFO}
        out = io.BytesIO()
        image.save(out, format=fmt, **options)
        return out.getvalue()
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageRefused("This image is damaged and could not be read; export it again and retry.") from exc
