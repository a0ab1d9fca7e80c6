"""Responsive renditions of local images: the lead image's and the body's, planned at save, written
once the save commits, made once with Pillow and reused."""

from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from articles.images import renditions
from articles.models import Article

from .factories import make_article, uploaded_image
from .html import parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_image(django_capture_on_commit_callbacks):
    """with_image(upload, **overrides): a saved article with `upload` as its lead image, and the work
    of its commit done (the test's own transaction never commits)."""

    def make(upload, **overrides):
        with django_capture_on_commit_callbacks(execute=True):
            article = make_article(**overrides)
            article.image = upload
            article.save()
        return article

    return make


def test_renditions_are_made_at_a_few_widths_in_webp_and_the_original_format(with_image):
    article = with_image(uploaded_image("lead.png", size=(1600, 900)))
    renditions = article.image_renditions
    assert renditions["source"] == article.image.name
    assert (renditions["width"], renditions["height"]) == (1600, 900)
    assert [w for w, _ in renditions["webp"]] == [480, 960, 1440, 1600]
    assert [w for w, _ in renditions["original"]] == [480, 960, 1440, 1600]
    assert renditions["original"][-1][1] == article.image.name
    for width, name in renditions["webp"]:
        with default_storage.open(name) as file, Image.open(file) as image:
            assert image.format == "WEBP" and image.width == width
    with default_storage.open(renditions["original"][0][1]) as file, Image.open(file) as image:
        assert image.format == "PNG" and image.size == (480, 270)


def test_small_images_are_not_upscaled(with_image):
    article = with_image(uploaded_image("small.jpg", "JPEG", size=(300, 200)))
    assert [w for w, _ in article.image_renditions["webp"]] == [300]
    assert article.image_renditions["original"] == [[300, article.image.name]]


def test_renditions_are_made_once_and_reused(with_image, django_capture_on_commit_callbacks):
    article = with_image(uploaded_image("lead.png", size=(1000, 500)))
    with mock.patch.object(renditions, "make") as make, django_capture_on_commit_callbacks(execute=True):
        article.title = "Edited"
        article.save()
    make.assert_not_called()
    # Made again from scratch, existing files are found and kept, not written twice.
    before = renditions.make(article.image.name)
    with mock.patch.object(default_storage, "save") as save:
        assert renditions.make(article.image.name) == before
    save.assert_not_called()


def test_a_file_pillow_cannot_read_has_no_renditions(with_image, django_capture_on_commit_callbacks):
    article = with_image(uploaded_image("lead.png", size=(800, 450)))
    assert article.image_renditions
    article.image = SimpleUploadedFile("broken.png", b"not an image")
    with (
        mock.patch(
            "django.db.models.fields.files.ImageFieldFile._get_image_dimensions", return_value=(None, None)
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        article.save()
    assert article.image_renditions == {}
    assert Article.objects.get(pk=article.pk).image_renditions == {}


def test_article_and_list_pages_serve_srcset_sizes_and_dimensions(client, with_image):
    article = with_image(uploaded_image("lead.png", size=(1600, 900)), slug="pictured", body="Text.")
    page = parse(client.get("/blog/pictured").content.decode())
    sources = [a for tag, a in page.elements if tag == "source"]
    assert sources[0]["type"] == "image/webp" and "480w" in sources[0]["srcset"] and sources[0]["sizes"]
    lead = next(a for tag, a in page.elements if tag == "img" and a.get("class") == "article__lead-image")
    assert (lead["width"], lead["height"]) == ("1600", "900")
    assert lead["src"] == article.image.url and "loading" not in lead  # above the fold
    assert "1440w" in lead["srcset"]
    cards = [
        a
        for tag, a in parse(client.get("/blog/").content.decode()).elements
        if tag == "img" and a.get("class") == "card__image"
    ]
    assert cards and cards[0]["width"] == "1600"


def test_list_images_below_the_first_are_lazy(client, with_image):
    for i in range(3):
        with_image(uploaded_image("lead.png", size=(800, 450)), slug=f"img-{i}")
    cards = [
        a
        for tag, a in parse(client.get("/blog/").content.decode()).elements
        if tag == "img" and a.get("class") == "card__image"
    ]
    assert ["loading" in a for a in cards] == [False, True, True]


def test_local_body_images_get_renditions_and_remote_ones_stay_lazy(client):
    name = default_storage.save("articles/uploads/body.png", uploaded_image("body.png", size=(1200, 600)))
    url = default_storage.url(name)
    make_article(
        slug="body-images", body=f"Intro.\n\n![A chart]({url})\n\n![Remote](https://cdn.example/r.png)"
    )
    page = parse(client.get("/blog/body-images").content.decode())
    images_ = {a["alt"]: a for tag, a in page.elements if tag == "img"}
    local, remote = images_["A chart"], images_["Remote"]
    assert (local["width"], local["height"], local["loading"]) == ("1200", "600", "lazy")
    assert "480w" in local["srcset"] and "1200w" in local["srcset"] and local["sizes"]
    webp = [a for tag, a in page.elements if tag == "source" and a.get("type") == "image/webp"]
    assert len(webp) == 1 and "960w" in webp[0]["srcset"]
    assert remote == {"loading": "lazy", "src": "https://cdn.example/r.png", "alt": "Remote"}


def test_missing_local_body_image_is_left_alone():
    article = make_article(body="![Gone](/media/articles/uploads/gone.png)")
    assert '<img loading="lazy" src="/media/articles/uploads/gone.png" alt="Gone">' in article.body_html
    assert "srcset" not in article.body_html
