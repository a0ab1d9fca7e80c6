"""Images, wherever they come from: files an import brings along (imports.py), editors' uploads
(uploads.py), and the narrower copies pages serve (renditions.py).

What the three share lives here: the one table of accepted formats, the one Pillow check every image
passes before we store or resize it, and the one error. An image is judged by its bytes, never by
the file name or the content type someone sent.
"""

import io
import warnings
from dataclasses import dataclass

from django.utils.text import capfirst
from PIL import Image


@dataclass(frozen=True)
class ImageFormat:
    extension: str
    content_type: str
    # Renditions are made in this format as well as in WebP. Not for GIF: a resized copy would keep
    # only the first frame of an animation.
    resized_copies: bool


# Pillow's format name -> how we store it. Nothing else is accepted; in particular no SVG, a document
# that can carry script.
FORMATS = {
    "JPEG": ImageFormat("jpg", "image/jpeg", resized_copies=True),
    "PNG": ImageFormat("png", "image/png", resized_copies=True),
    "WEBP": ImageFormat("webp", "image/webp", resized_copies=True),
    "GIF": ImageFormat("gif", "image/gif", resized_copies=False),
}
FORMAT_BY_EXTENSION = {image_format.extension: name for name, image_format in FORMATS.items()}
ACCEPTED = "use JPEG, PNG, WebP or GIF"
# Where to look for an SVG's opening tag: the XML prolog and comments may come first.
SVG_SNIFF_BYTES = 4096


class ImageError(Exception):
    """An image we refuse. str(exc) is a clause for a report line ("body image 'a.png': <clause>;
    kept as written"); `sentence` is the same for an editor's form."""

    @property
    def sentence(self):
        return f"{capfirst(str(self))}."


def open_checked(data):
    """`data` opened with Pillow once Pillow has verified it: one of FORMATS, within Pillow's pixel
    limit (a decompression bomb is refused, not just warned about); else ImageError.

    The pixels are decoded only when used: a caller that resizes or re-encodes still handles the
    OSError of a file that is damaged past its header."""
    if b"<svg" in data[:SVG_SNIFF_BYTES].lower():
        raise ImageError("SVG images are not accepted (they can carry script); export a PNG instead")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                probe.verify()  # leaves `probe` unusable, hence the second open
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError("too many pixels to open safely (Pillow's decompression bomb limit)") from exc
    except Exception as exc:  # Pillow raises many types for a file that is not an image
        raise ImageError(f"not an image we can read ({ACCEPTED})") from exc
    if image.format not in FORMATS:
        raise ImageError(f"{image.format} images are not accepted ({ACCEPTED})")
    return image
