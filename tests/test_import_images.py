"""Images an import brings: local files next to the article, remote ones with --fetch-images."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from articles.models import Article

from .conftest import stored_files
from .factories import image_bytes, make_article


def test_local_images_are_verified_stored_and_linked(db, write_seed, run_import):
    cover, figure = image_bytes(), image_bytes()
    write_seed("post/cover.png", cover)
    write_seed("post/img/figure one.png", figure)
    path = write_seed(
        "post/index.md",
        "---\ntitle: Pics\nimage: ./cover.png\n---\n"
        '![A figure](<img/figure one.png>)\n\n<img src="img/figure one.png" alt="again">\n',
    )
    code, lines = run_import(path)
    assert code == 0, lines
    article = Article.objects.get()
    assert article.image.name.startswith("articles/imported/") and article.image.name.endswith(".png")
    assert "![A figure](<img/figure one.png>)" in article.body  # the stored body keeps what was written
    stored = article.local_images["img/figure one.png"]
    assert article.body_html.count(f'src="/media/{stored}"') == 2
    assert default_storage.open(stored).read() == figure
    assert default_storage.open(article.image.name).read() == cover


def test_same_image_twice_is_stored_once(db, write_seed, run_import):
    data = image_bytes()
    write_seed("a/pic.png", data)
    write_seed("b/pic.png", data)
    write_seed("a/a.md", "---\ntitle: A\n---\n![](pic.png)")
    write_seed("b/b.md", "---\ntitle: B\n---\n![](pic.png)")
    before = stored_files("articles/imported")
    run_import(write_seed("c.md", "---\ntitle: C\n---\nx").parent)
    assert len(stored_files("articles/imported") - before) == 1
    a, b = Article.objects.get(slug="a"), Article.objects.get(slug="b")
    assert a.local_images == b.local_images


@pytest.mark.parametrize(
    ("reference", "setup", "message"),
    [
        ("../outside.png", "outside.png", "is outside the article's folder"),
        ("missing.png", None, "no such file next to the article"),
        ("notes.png", "text", "not an image we can read (use JPEG, PNG, WebP or GIF)"),
        ("vector.png", "svg", "SVG images are not accepted (they can carry script); export a PNG instead"),
    ],
)
def test_bad_local_images_warn_and_keep_the_address(db, write_seed, run_import, reference, setup, message):
    if setup == "outside.png":
        write_seed("outside.png", image_bytes())
    elif setup == "text":
        write_seed("post/notes.png", "not an image")
    elif setup == "svg":
        write_seed(
            "post/vector.png", '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
        )
    path = write_seed("post/a.md", f"---\ntitle: T\n---\n![x]({reference})\n")
    code, lines = run_import(path)
    assert code == 0
    assert lines[1] == f"warning {path} body image {reference!r}: {message}; kept as written"
    article = Article.objects.get()
    assert article.local_images == {}
    assert f'src="{reference}"' in article.body_html


def test_decompression_bomb_is_refused(db, write_seed, run_import, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    write_seed("post/big.png", image_bytes(size=(30, 30)))
    path = write_seed("post/a.md", "---\ntitle: T\n---\n![x](big.png)\n")
    _code, lines = run_import(path)
    assert "too many pixels" in lines[1]


def test_failed_article_leaves_no_image_behind(db, write_seed, run_import):
    write_seed("a/a.md", "---\ntitle: First\nslug: same\n---\nx")
    write_seed("b/pic.png", image_bytes())
    write_seed("b/b.md", "---\ntitle: Second\nslug: same\n---\n![](pic.png)")
    before = stored_files("articles/imported")
    code, _ = run_import(write_seed("c.md", "---\ntitle: C\n---\nx").parent)
    assert code == 1
    assert stored_files("articles/imported") == before


def test_strict_rollback_and_dry_run_leave_no_image_behind(db, write_seed, run_import):
    write_seed("a/pic.png", image_bytes())
    write_seed("a/a.md", "---\ntitle: Good\n---\n![](pic.png)")
    bad = write_seed("b/b.md", "---\ntitle: [broken\n---\nx")
    before = stored_files("articles/imported")
    assert run_import("--strict", bad.parent.parent)[0] == 1
    assert run_import("--dry-run", bad.parent.parent / "a")[0] == 0
    assert stored_files("articles/imported") == before
    assert Article.objects.count() == 0


class _ImageServer(BaseHTTPRequestHandler):
    routes = {}

    def do_GET(self):
        status, body, headers = self.routes.get(self.path, (404, b"", {}))
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def image_server():
    """An HTTP server on loopback serving _ImageServer.routes: {path: (status, body, headers)}."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ImageServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _ImageServer.routes = {}
    yield f"http://127.0.0.1:{server.server_address[1]}", _ImageServer.routes
    server.shutdown()


def test_fetch_images_downloads_verifies_and_stores(db, write_seed, run_import, image_server, settings):
    settings.IMPORT_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    base, routes = image_server
    picture = image_bytes()
    routes.update(
        {
            "/a.png": (200, picture, {}),
            "/moved.png": (302, b"", {"Location": "/a.png"}),
            "/fake.png": (200, b"<html>", {}),
            "/gone.png": (404, b"", {}),
        }
    )
    path = write_seed(
        "a.md",
        f"---\ntitle: T\ncover_image: {base}/moved.png\n---\n"
        f"![ok]({base}/a.png) ![fake]({base}/fake.png) ![gone]({base}/gone.png)\n",
    )
    code, lines = run_import("--fetch-images", path)
    assert code == 0
    article = Article.objects.get()
    assert article.image_url == f"{base}/moved.png"  # the address is kept; the stored copy serves
    assert default_storage.open(article.image.name).read() == picture
    assert f'src="/media/{article.local_images[base + "/a.png"]}"' in article.body_html
    assert f'src="{base}/fake.png"' in article.body_html
    warnings = [line for line in lines if line.startswith("warning")]
    assert any("fake.png" in w and "not an image we can read" in w for w in warnings)
    assert any("gone.png" in w and "the server answered 404" in w for w in warnings)


def test_fetch_refuses_loopback_unless_allowed(db, write_seed, run_import, image_server, settings):
    settings.IMPORT_FETCH_ALLOWED_NETWORKS = []
    base, routes = image_server
    routes["/a.png"] = (200, image_bytes(), {})
    path = write_seed("a.md", f"---\ntitle: T\n---\n![x]({base}/a.png)\n")
    code, lines = run_import("--fetch-images", path)
    assert code == 0
    assert "is a private, loopback or link-local address (127.0.0.1)" in lines[1]
    assert Article.objects.get().local_images == {}


def test_fetch_size_cap(db, write_seed, run_import, image_server, settings):
    settings.IMPORT_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.IMPORT_IMAGE_MAX_BYTES = 50
    base, routes = image_server
    routes["/big.png"] = (200, image_bytes(size=(60, 60)) + b"\0" * 100, {})
    path = write_seed("a.md", f"---\ntitle: T\n---\n![x]({base}/big.png)\n")
    _code, lines = run_import("--fetch-images", path)
    assert "larger than 50 bytes" in lines[1]


def test_a_malformed_remote_address_is_a_warning_not_a_failed_file(db, write_seed, run_import):
    reference = "http://127.0.0.1:port/a.png"
    path = write_seed("a.md", f"---\ntitle: T\n---\n![x]({reference})\n")
    code, lines = run_import("--fetch-images", path)
    assert code == 0 and lines[0].startswith("created"), lines
    assert lines[1].startswith(f"warning {path} body image {reference!r}: it is not a valid address")


def test_remote_images_are_not_fetched_by_default(db, write_seed, run_import, image_server):
    base, routes = image_server
    routes["/a.png"] = (200, image_bytes(), {})
    path = write_seed("a.md", f"---\ntitle: T\nimage: {base}/a.png\n---\n![x]({base}/a.png)\n")
    _code, _lines = run_import(path)
    article = Article.objects.get()
    assert article.image_url == f"{base}/a.png" and not article.image and article.local_images == {}


def test_imported_lead_image_gets_renditions(db, write_seed, run_import):
    write_seed("post/cover.png", image_bytes(size=(1000, 500)))
    code, _ = run_import(write_seed("post/index.md", "---\ntitle: Pics\nimage: ./cover.png\n---\nText."))
    assert code == 0
    article = Article.objects.get()
    assert article.image_renditions["source"] == article.image.name
    assert [width for width, _ in article.image_renditions["webp"]] == [480, 960, 1000]
    assert all(default_storage.exists(name) for _, name in article.image_renditions["webp"])


def test_an_address_fetched_by_a_failed_file_is_stored_for_the_next(
    db, write_seed, run_import, image_server, settings
):
    """The failed file's stored copy is rolled back with it, so the next file must not reuse its name."""
    settings.IMPORT_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    base, routes = image_server
    routes["/shared.png"] = (200, image_bytes(), {})
    make_article(slug="taken")
    make_article(slug="b", source="s", source_id="2")
    # Fails after its images are fetched: it moves article b to a slug another article holds.
    write_seed("b.md", f"---\ntitle: B\nslug: taken\nsource: s\nsource_id: '2'\n---\n![]({base}/shared.png)")
    path = write_seed("c.md", f"---\ntitle: C\nslug: c\n---\n![]({base}/shared.png)")
    code, lines = run_import("--fetch-images", path.parent)
    assert code == 1 and lines[0].startswith("failed"), lines
    stored = Article.objects.get(slug="c").local_images[f"{base}/shared.png"]
    assert default_storage.exists(stored)
