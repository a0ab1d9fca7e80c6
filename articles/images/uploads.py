"""Images from editors, checked and cleaned: dropped or pasted into the body, or the cover.

cleaned_upload(upload) returns a new upload under a random name; store_body_image(upload) also
stores it and returns its URL. Both raise ImageError, whose `sentence` is the message the editor
sees. Beyond the package's Pillow check, an upload has limits of its own (file size, pixels) and is
re-encoded, so what is stored is pixels we decoded ourselves: no EXIF (GPS), no comments, nothing
appended after the image data.
"""

import io
import uuid

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageOps

from . import FORMATS, ImageError, open_checked

# Keys of Image.info that describe how to draw the pixels; every other key (exif, comment, xmp,
# text chunks, dpi) is metadata and is dropped.
KEPT_INFO = {"transparency", "duration", "loop", "background", "disposal", "icc_profile"}


def store_body_image(upload):
    cleaned = cleaned_upload(upload)
    stored_name = default_storage.save(f"{settings.EDITOR_UPLOAD_DIR.rstrip('/')}/{cleaned.name}", cleaned)
    return default_storage.url(stored_name)


def cleaned_upload(upload):
    """The upload's image re-encoded without its metadata, under a random name: the name the
    browser sent is neither trusted nor published."""
    max_bytes = settings.EDITOR_UPLOAD_MAX_BYTES
    if upload.size > max_bytes:
        raise ImageError(
            f"the file is {upload.size / 2**20:.1f} MB and images may be at most "
            f"{max_bytes / 2**20:.0f} MB; save it smaller and try again"
        )
    upload.seek(0)
    image = open_checked(upload.read())
    image_format = FORMATS[image.format]
    width, height = image.size
    frames = getattr(image, "n_frames", 1)
    max_pixels = settings.EDITOR_UPLOAD_MAX_PIXELS
    # Counted before decoding: a small file can decode into gigabytes (a decompression bomb).
    if width * height * frames > max_pixels:
        raise ImageError(
            f"the image is {width}×{height} pixels"
            f"{f' in {frames} frames' if frames > 1 else ''}; at most "
            f"{max_pixels / 1e6:.0f} megapixels are accepted, so scale it down and try again"
        )
    return SimpleUploadedFile(
        f"{uuid.uuid4().hex}.{image_format.extension}",
        _reencode(image, frames),
        content_type=image_format.content_type,
    )


def _reencode(image, frames):
    """The image's pixels in a new file of the same format, without its metadata."""
    fmt = image.format
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
        raise ImageError("this image is damaged and could not be read; export it again and retry") from exc
