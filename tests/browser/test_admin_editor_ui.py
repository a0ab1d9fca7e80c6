"""The change form in the editor's hands (issue 14): changes are not lost by leaving the page
(defect 3), the keyboard is not trapped in the body (defect 4), a chosen cover image shows before
upload (defect 5), and the body editor stays tall at every width (defect 6)."""

import pytest
from playwright.sync_api import expect

from articles.models import Article

from ..factories import image_bytes
from .conftest import DESKTOP, PHONE, log_in, screenshot

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 1024, "height": 768}
# Generous: seven test runs share two cores.
SLOW = 20_000


def _change_path(article):
    return f"/admin/articles/article/{article.pk}/change/"


class Dialogs(list):
    """Every dialog a page opens, as (type, message): each accepted while .accept is true, else
    dismissed."""

    def __init__(self, page, accept=False):
        super().__init__()
        self.accept = accept
        page.on("dialog", self._answer)

    def _answer(self, dialog):
        self.append((dialog.type, dialog.message))
        if self.accept:
            dialog.accept()
        else:
            dialog.dismiss()


def _close_asking(page):
    """Close the tab as a user would, running its beforeunload; True if the page closed."""
    page.close(run_before_unload=True)
    try:
        page.wait_for_event("close", timeout=5_000)
    except Exception:  # a dismissed beforeunload dialog keeps the page open
        return False
    return True


# Defect 3: unsaved changes.


def test_closing_the_tab_after_typing_asks_first(open_page, editor, seed_article):
    page = log_in(open_page, _change_path(seed_article))
    page.locator("#id_body").click()
    page.keyboard.type("A sentence I have not saved. ")
    dialogs = Dialogs(page)
    assert not _close_asking(page)
    assert [kind for kind, _ in dialogs] == ["beforeunload"]
    assert "A sentence I have not saved." in page.locator("#id_body").input_value()


def test_a_link_in_the_admin_asks_before_leaving_changed_text(open_page, live_server, editor, seed_article):
    page = log_in(open_page, _change_path(seed_article))
    page.locator("#id_title").click()
    page.keyboard.type(" (revised)")
    dialogs = Dialogs(page)
    page.locator(".breadcrumbs a", has_text="Articles").last.click()
    assert dialogs and dialogs[0][0] == "confirm" and "not saved" in dialogs[0][1]
    assert page.url.endswith(_change_path(seed_article))  # stayed, text and all
    assert " (revised)" in page.input_value("#id_title")

    dialogs.clear()
    dialogs.accept = True
    page.locator(".breadcrumbs a", has_text="Articles").last.click()
    page.wait_for_url("**/admin/articles/article/", timeout=SLOW)
    # Asked once, in our words: no second, browser-worded beforeunload question.
    assert [kind for kind, _ in dialogs] == ["confirm"]


def test_no_question_when_nothing_changed_or_after_saving(open_page, live_server, editor, seed_article):
    page = log_in(open_page, _change_path(seed_article))
    dialogs = Dialogs(page)
    page.locator(".breadcrumbs a", has_text="Articles").last.click()  # untouched: leaves at once
    page.wait_for_url("**/admin/articles/article/", timeout=SLOW)

    page.goto(live_server.url + _change_path(seed_article))
    page.locator("#id_excerpt").click()
    page.keyboard.type(" Edited.")
    page.click("input[name=_continue]")  # Save and continue editing
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully", timeout=SLOW)
    assert Article.objects.get(pk=seed_article.pk).excerpt.endswith(" Edited.")
    assert _close_asking(page)
    assert dialogs == []


def test_a_form_sent_back_with_errors_still_asks(open_page, editor, seed_article):
    page = log_in(open_page, _change_path(seed_article))
    page.fill("#id_title", "")
    page.click("input[name=_save]")
    expect(page.locator(".errornote")).to_be_visible(timeout=SLOW)
    page.locator("#id_body").click()  # the user is on the page again (browsers ask only then)
    dialogs = Dialogs(page)
    assert not _close_asking(page)
    assert [kind for kind, _ in dialogs] == ["beforeunload"]


# Defect 4: no keyboard trap.


def test_tab_indents_the_body_and_esc_then_tab_leaves_it(open_page, editor, seed_article):
    page = log_in(open_page, _change_path(seed_article))
    body = page.locator("#id_body")
    hint = page.locator(".editor-keyboard-hint")
    assert "Esc, then Tab" in hint.inner_text()
    assert hint.get_attribute("id") in body.get_attribute("aria-describedby").split()

    body.focus()
    body.evaluate("box => box.setSelectionRange(0, 0)")
    page.keyboard.press("Tab")  # indents, and the focus stays
    expect(body).to_be_focused()
    assert body.input_value().startswith("\t")
    page.keyboard.press("Shift+Tab")  # unindents, and the focus stays
    expect(body).to_be_focused()
    assert not body.input_value().startswith("\t")

    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    expect(body).not_to_be_focused()
    assert not body.input_value().startswith("\t")  # that Tab typed nothing

    body.focus()
    page.keyboard.press("Escape")
    page.keyboard.press("Shift+Tab")
    expect(body).not_to_be_focused()
    assert page.evaluate("() => document.activeElement.id") != "id_body"
    screenshot(page, "admin-editor-keyboard-hint")


# Defect 5: the cover image chosen shows before upload.


def test_a_chosen_cover_image_is_previewed_before_upload(open_page, editor, seed_article):
    page = log_in(open_page, _change_path(seed_article))  # the real CSP: no bypass
    page.set_input_files(
        "#id_image",
        files=[{"name": "cover.png", "mimeType": "image/png", "buffer": image_bytes(size=(64, 40))}],
    )
    preview = page.locator("img.cover-preview:not([hidden])")
    page.wait_for_function(
        "img => img.src.startsWith('blob:') && img.complete && img.naturalWidth === 64",
        arg=preview.element_handle(),
        timeout=SLOW,
    )
    assert [error for error in page.console_errors if "Content Security Policy" in error] == []


# Defect 6: a tall editor at every width; screenshots of the change form.


@pytest.mark.parametrize("viewport", [PHONE, TABLET, DESKTOP], ids=["375", "1024", "1280"])
def test_the_body_editor_stays_tall_at_every_width(open_page, editor, seed_article, viewport):
    page = log_in(open_page, _change_path(seed_article), viewport=viewport)
    height = page.locator("#id_body").evaluate("box => box.getBoundingClientRect().height")
    assert height >= 400, height
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    screenshot(page, f"admin-change-form-{viewport['width']}")
