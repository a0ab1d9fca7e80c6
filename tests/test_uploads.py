"""Images dropped into the editor or uploaded as the cover: staff only, Pillow-verified, limited,
cleaned, stored under random names."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from articles.models import Article
from articles.roles import EDITORS_GROUP

from .conftest import stored_files
from .factories import admin_form_data, image_bytes, make_article
from .html import parse

UPLOAD = "/markdownx/upload/"
AJAX = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


@pytest.fixture
def staff_client(client, db):
    """An editor: staff, in the Editors group (the upload needs staff only; the cover form, the group)."""
    user = get_user_model().objects.create_user(
        "staff", "staff@example.com", "x-Long-Pass-123", is_staff=True
    )
    user.groups.add(Group.objects.get(name=EDITORS_GROUP))
    client.force_login(user)
    return client


def jpeg_with_gps():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (52.0, 22.0, 10.0)  # GPSLatitudeRef, GPSLatitude
    gps[3], gps[4] = "E", (4.0, 53.0, 30.0)
    return image_bytes("JPEG", exif=exif)


def upload(client, data, name="photo.png", content_type="image/png"):
    return client.post(UPLOAD, {"image": SimpleUploadedFile(name, data, content_type=content_type)}, **AJAX)


def stored_name(response):
    code = response.json()["image_code"]
    assert code.startswith("![](") and code.endswith(")")
    url = code[4:-1]
    return url, url.removeprefix(default_storage.url(""))


@pytest.mark.parametrize(("fmt", "ext"), [("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp"), ("GIF", "gif")])
def test_each_allowed_format_is_stored_under_a_unique_name(staff_client, fmt, ext):
    data = image_bytes(fmt)
    _first_url, first_name = stored_name(upload(staff_client, data, name=f"same.{ext}"))
    _second_url, second_name = stored_name(upload(staff_client, data, name=f"same.{ext}"))
    assert first_name != second_name
    assert first_name.startswith("articles/uploads/") and first_name.endswith(f".{ext}")
    assert "same" not in first_name  # the client's file name is not used
    with default_storage.open(first_name) as stored, Image.open(stored) as image:
        assert image.format == fmt and image.size == (40, 30)


def test_gps_and_other_exif_are_stripped(staff_client):
    data = jpeg_with_gps()
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get_ifd(0x8825)  # the test file really carries a location
    _, name = stored_name(upload(staff_client, data, name="holiday.jpg", content_type="image/jpeg"))
    with default_storage.open(name) as stored, Image.open(stored) as image:
        assert not image.getexif() and "exif" not in image.info


def test_camera_rotation_is_applied_before_exif_is_dropped(staff_client):
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    data = image_bytes("JPEG", size=(40, 30), exif=exif)
    _, name = stored_name(upload(staff_client, data, name="turned.jpg", content_type="image/jpeg"))
    with default_storage.open(name) as stored, Image.open(stored) as image:
        assert image.size == (30, 40)


def test_wide_image_is_scaled_to_the_configured_width(staff_client, settings):
    settings.EDITOR_IMAGE_MAX_WIDTH = 100
    _, name = stored_name(upload(staff_client, image_bytes("PNG", size=(400, 200))))
    with default_storage.open(name) as stored, Image.open(stored) as image:
        assert image.size == (100, 50)


def test_animated_gif_keeps_its_frames(staff_client):
    data = image_bytes("GIF", size=(20, 20), frames=3, duration=100, loop=0)
    _, name = stored_name(upload(staff_client, data, name="anim.gif", content_type="image/gif"))
    with default_storage.open(name) as stored, Image.open(stored) as image:
        assert image.n_frames == 3


def _refusal(response):
    assert response.status_code == 400
    return " ".join(response.json()["image"])


def test_svg_is_refused_whatever_its_content_type(staff_client):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    for name, content_type in [("logo.svg", "image/svg+xml"), ("logo.png", "image/png")]:
        message = _refusal(upload(staff_client, svg, name=name, content_type=content_type))
        assert message == "SVG images are not accepted (they can carry script); export a PNG instead."


def test_a_non_image_with_an_image_content_type_is_refused(staff_client):
    message = _refusal(upload(staff_client, b"<html><script>alert(1)</script>", name="x.png"))
    assert message == "Not an image we can read (use JPEG, PNG, WebP or GIF)."


def test_a_truncated_image_is_refused(staff_client):
    data = image_bytes("PNG", size=(200, 200))
    assert "image" in _refusal(upload(staff_client, data[: len(data) // 2]))


def test_a_format_outside_the_list_is_refused_even_when_named_png(staff_client):
    message = _refusal(upload(staff_client, image_bytes("BMP"), name="sneaky.png"))
    assert message == "BMP images are not accepted (use JPEG, PNG, WebP or GIF)."


def test_a_file_over_the_size_limit_is_refused(staff_client, settings):
    settings.EDITOR_UPLOAD_MAX_BYTES = 1000
    data = image_bytes("PNG", size=(300, 300))
    data += b"\0" * max(0, 1001 - len(data))
    message = _refusal(upload(staff_client, data))
    assert "images may be at most" in message


def test_an_image_over_the_pixel_limit_is_refused_before_decoding(staff_client, settings):
    settings.EDITOR_UPLOAD_MAX_PIXELS = 10_000
    message = _refusal(upload(staff_client, image_bytes("PNG", size=(101, 100))))
    assert message.startswith("The image is 101×100 pixels;") and "scale it down" in message


def test_no_file_is_refused(staff_client):
    assert staff_client.post(UPLOAD, {}, **AJAX).status_code == 400


def test_refused_uploads_store_nothing(staff_client):
    before = stored_files("articles/uploads")
    upload(staff_client, b"not an image")
    upload(staff_client, image_bytes("BMP"))
    assert stored_files("articles/uploads") == before


@pytest.mark.parametrize("who", ["anonymous", "reader"])
def test_only_staff_may_upload(client, db, who):
    if who == "reader":
        client.force_login(get_user_model().objects.create_user("reader", "r@example.com", "x-Long-Pass-123"))
    assert upload(client, image_bytes()).status_code == 403


def test_uploaded_image_in_a_body_renders_on_the_page(staff_client, db):
    url, _ = stored_name(upload(staff_client, image_bytes()))
    article = make_article(body=f"Look:\n\n![A chart]({url})\n")
    page = parse(staff_client.get(article.get_absolute_url()).content.decode())
    assert {"src": url, "alt": "A chart"}.items() <= _image_with_src(page, url).items()


def _image_with_src(page, src):
    return next(attrs for tag, attrs in page.elements if tag == "img" and attrs.get("src") == src)


# --- The cover image, uploaded in the change form -------------------------------------------------


def _post_cover(client, article, data, name, content_type, alt="A chart"):
    form = admin_form_data(
        article, image_alt=alt, image=SimpleUploadedFile(name, data, content_type=content_type)
    )
    return client.post(f"/admin/articles/article/{article.pk}/change/", form)


def test_cover_upload_is_cleaned_renamed_and_shown_with_its_alt(staff_client, seed_article):
    response = _post_cover(staff_client, seed_article, jpeg_with_gps(), "my holiday.jpg", "image/jpeg")
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(pk=seed_article.pk)
    assert article.image.name.startswith("articles/covers/") and article.image.name.endswith(".jpg")
    assert "holiday" not in article.image.name
    with article.image.open() as stored, Image.open(stored) as image:
        assert not image.getexif()
    page = parse(staff_client.get(article.get_absolute_url()).content.decode())
    assert _image_with_src(page, article.image.url)["alt"] == "A chart"
    form = staff_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert f'<img src="{article.image.url}" alt="A chart" class="cover-preview">' in form


def test_cover_in_a_refused_format_is_refused_with_the_reason(staff_client, seed_article):
    response = _post_cover(staff_client, seed_article, image_bytes("BMP"), "cover.png", "image/png")
    assert response.status_code == 200
    assert "BMP images are not accepted (use JPEG, PNG, WebP or GIF)." in response.content.decode()
