"""The seed article as a reader's browser shows it, at phone and desktop widths."""

import pytest

from ..conftest import SEED_SLUG
from .conftest import DESKTOP, PHONE, screenshot

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("name", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_seed_article_renders_cleanly(open_page, seed_article, name, viewport):
    page = open_page(f"/blog/{SEED_SLUG}", viewport=viewport)
    assert page.locator("h1").all_inner_texts() == ["Common IT Outsourcing Mistakes to Avoid"]
    assert page.locator("article h3").count() == 10
    assert page.console_errors == []
    # The page fits the viewport: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    # Only the seed's remote body image leaves loopback; no external script, style or font.
    assert all("res.cloudinary.com" in url for url in page.external_requests)
    screenshot(page, f"seed-article-{name}")
