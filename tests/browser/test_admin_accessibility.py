"""The admin pages an editor uses, checked as the reader's pages are: axe-core finds no serious or
critical WCAG 2 A/AA violation on the change list, the change form, the history and the compare page
(issue 14, defect 9), and the history's diff box can be scrolled from the keyboard."""

import pytest

from articles.models import Article

from .conftest import axe_violations, log_in, screenshot

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SERIOUS = {"serious", "critical"}


@pytest.fixture
def two_versions(seed_article):
    """The seed article with a second version whose every paragraph differs: the history has a diff
    taller than its box to show."""
    seed_article.body = seed_article.body.replace("\n\n", "\n\nAn added line.\n\n")
    seed_article.save()
    return [version.history_id for version in Article.history.filter(id=seed_article.pk)]


def _admin_pages(article, versions):
    base = f"/admin/articles/article/{article.pk}"
    newer, older = versions[:2]
    return {
        "change-list": "/admin/articles/article/",
        "change-form": f"{base}/change/",
        "add-form": "/admin/articles/article/add/",
        "history": f"{base}/history/",
        "compare": f"{base}/history/compare/?a={older}&b={newer}",
    }


@pytest.mark.parametrize("name", ["change-list", "change-form", "add-form", "history", "compare"])
def test_admin_pages_have_no_serious_axe_violations(open_page, editor, seed_article, two_versions, name):
    path = _admin_pages(seed_article, two_versions)[name]
    page = log_in(open_page, path, bypass_csp=True)
    page.wait_for_load_state("networkidle")
    violations = axe_violations(page, impacts=SERIOUS)
    screenshot(page, f"admin-axe-{name}")
    assert violations == []


def test_the_history_diff_box_scrolls_from_the_keyboard(open_page, editor, seed_article, two_versions):
    page = log_in(open_page, f"/admin/articles/article/{seed_article.pk}/history/")
    diff = page.locator("pre.body-diff").first
    assert diff.evaluate("box => box.scrollHeight > box.clientHeight")  # it does need scrolling
    for _ in range(60):  # Tab through the page, as a keyboard user would, to the diff box
        page.keyboard.press("Tab")
        if diff.evaluate("box => document.activeElement === box"):
            break
    else:
        pytest.fail("Tab never reached the history's diff box")
    page.keyboard.press("PageDown")
    page.wait_for_function("box => box.scrollTop > 0", arg=diff.element_handle())
    assert diff.get_attribute("aria-label") == "Changes to the body"
