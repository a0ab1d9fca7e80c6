"""What the change form does for the editor beyond keeping the text (issue 14, "what editors expect
next"): text kept in the browser offered back after a closed tab, the word count and reading time,
the content check panel, a dropped image on its own line with its alt text asked for, and the
preview at a phone's, a tablet's and a desktop's width."""

import base64

import pytest
from playwright.sync_api import expect

from articles.models import Article

from ..factories import image_bytes
from .conftest import DROP_FILE, log_in, screenshot

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SLOW = 20_000  # seven test runs share two cores


def _change_path(article):
    return f"/admin/articles/article/{article.pk}/change/"


def _kept_in_browser(page):
    return page.evaluate(
        "() => Object.keys(localStorage).filter(key => key.startsWith('article-draft:')).length"
    )


def test_text_typed_then_the_tab_closed_is_offered_back_from_the_browser(
    open_page, live_server, editor, seed_article
):
    page = log_in(open_page, _change_path(seed_article))
    page.locator("#id_body").press("Control+End")
    page.keyboard.type(" Typed, never sent.")
    page.wait_for_function("() => Object.keys(localStorage).some(k => k.startsWith('article-draft:'))")
    context = page.context
    page.close()  # the tab is gone, nothing sent

    page = context.new_page()
    page.goto(live_server.url + _change_path(seed_article))
    offer = page.locator(".local-draft-offer")
    expect(offer).to_contain_text("never saved", timeout=SLOW)
    screenshot(page, "admin-local-draft-offer")
    offer.get_by_role("button", name="Restore the unsaved text").click()
    expect(page.locator("#id_body")).to_have_value(seed_article.body.rstrip("\n") + " Typed, never sent.")
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/articles/article/", timeout=SLOW)
    assert Article.objects.get(pk=seed_article.pk).body.endswith(" Typed, never sent.")
    assert _kept_in_browser(page) == 0  # saved: the browser's copy is forgotten

    page.goto(live_server.url + _change_path(seed_article))
    expect(page.locator(".editor-stats")).to_be_visible()
    assert page.locator(".local-draft-offer").count() == 0


def test_discarding_the_browsers_copy_forgets_it(open_page, live_server, editor, seed_article):
    page = log_in(open_page, _change_path(seed_article))
    page.locator("#id_title").press("End")
    page.keyboard.type(" draft")
    page.wait_for_function("() => Object.keys(localStorage).some(k => k.startsWith('article-draft:'))")
    page.goto(live_server.url + _change_path(seed_article))  # reload; the question answered "leave"
    page.locator(".local-draft-offer").get_by_role("button", name="Discard it").click()
    assert _kept_in_browser(page) == 0
    assert page.input_value("#id_title") == seed_article.title


def test_word_count_and_reading_time_follow_the_text(open_page, editor, seed_article):
    page = log_in(open_page, _change_path(seed_article))
    stats = page.locator(".editor-stats")
    expect(stats).to_contain_text("min read", timeout=SLOW)
    assert seed_article.reading_minutes > 1
    assert f"{seed_article.reading_minutes} min read" in stats.inner_text()  # as the site counts
    page.fill("#id_body", "One two three.\n\n## Four five")
    expect(stats).to_have_text("5 words · 1 min read", timeout=SLOW)
    page.fill("#id_body", " ".join(["word"] * 461))
    expect(stats).to_have_text("461 words · 3 min read", timeout=SLOW)


def test_the_content_checks_name_what_to_fix_and_clear_when_it_is(open_page, editor, seed_article):
    page = log_in(open_page, _change_path(seed_article))
    page.fill("#id_excerpt", "")
    page.fill(
        "#id_body",
        "Intro.\n\n![](/static/chart.png)\n\n#### Too deep\n\n"
        "Read it [click here](https://example.com/a). And [](https://example.com/b).\n",
    )
    panel = page.locator(".content-checks")
    expect(panel.locator("li")).to_have_count(5, timeout=SLOW)
    text = panel.inner_text()
    assert "Content checks: 5 to look at" in text
    assert "no alt text (chart.png)" in text
    assert "“Too deep” (####) skips a level after the title: make it ##." in text
    assert "says “click here”" in text
    assert "https://example.com/b has no text" in text
    assert "The excerpt is empty" in text
    screenshot(page, "admin-content-checks")

    page.fill("#id_excerpt", "A short summary.")
    page.fill(
        "#id_body",
        "Intro.\n\n![A chart of sales](/static/chart.png)\n\n## Deep enough\n\n"
        "Read [the annual report](https://example.com/a).\n",
    )
    expect(panel.locator("h3")).to_have_text("Content checks: nothing to fix", timeout=SLOW)
    assert panel.locator("li").count() == 0


def test_a_dropped_image_goes_on_its_own_line_and_asks_for_alt_text(open_page, editor, seed_article):
    page = log_in(open_page, _change_path(seed_article))
    body = page.locator("#id_body")
    body.fill("Before the image, after it.")
    body.evaluate("box => box.setSelectionRange(17, 17)")  # mid-sentence, after "image,"
    chart = base64.b64encode(image_bytes(size=(40, 20), color=(30, 90, 160))).decode()
    page.evaluate(DROP_FILE, ["textarea#id_body", chart, "chart.png", "image/png"])
    alt = page.get_by_role("textbox", name="What does it show?")
    expect(alt).to_be_focused(timeout=SLOW)
    value = body.input_value()
    assert value.startswith("Before the image,\n\n![](/media/articles/uploads/")
    assert value.endswith(".png)\n\nafter it."), value
    screenshot(page, "admin-image-alt-prompt")
    alt.fill("A blue bar chart")
    alt.press("Enter")
    value = body.input_value()
    assert "\n\n![A blue bar chart](/media/articles/uploads/" in value and value.endswith("\n\nafter it.")
    assert page.locator(".image-alt-prompt").count() == 0
    expect(body).to_be_focused()
    assert page.url.endswith(_change_path(seed_article))  # Enter did not send the form


def test_the_preview_shows_at_phone_tablet_and_desktop_widths(open_page, editor, seed_article):
    page = log_in(open_page, _change_path(seed_article))
    preview = page.locator(".markdownx-preview")
    widths = page.get_by_role("group", name="Preview width")
    beside = preview.bounding_box()["width"]
    for name, low, high in [("Phone", 300, 376), ("Tablet", 700, 769), ("Desktop", 769, 1280)]:
        button = widths.get_by_role("button", name=name)
        button.click()
        expect(button).to_have_attribute("aria-pressed", "true")
        width = preview.bounding_box()["width"]
        assert low <= width <= high, (name, width)
        screenshot(page, f"admin-preview-{name.lower()}")
    widths.get_by_role("button", name="Beside the editor").click()
    assert preview.bounding_box()["width"] == beside
