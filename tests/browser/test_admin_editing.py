"""An editor's day in a real browser: log in, edit the seed article beside its live preview, drop an
image into the body, save, and read the result on the public page; the list and a draft's preview."""

import base64
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article, Status

from ..conftest import PASSWORD, SEED_SLUG
from ..factories import image_bytes, make_article, tag
from .conftest import DESKTOP, DROP_FILE, log_in, screenshot

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

OLD_SENTENCE = "One of the most important steps to growing your business"
NEW_SENTENCE = "The single most important step to growing a newsroom"


@pytest.fixture
def media_served(settings, tmp_path):
    settings.ROOT_URLCONF = "tests.browser.urls"
    # Files on disk, as in production: InMemoryStorage hands every thread the same file object, and
    # the live server reads uploads in one thread while another makes their renditions.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


def _chart_png():
    return base64.b64encode(image_bytes(size=(320, 180), color=(30, 90, 160))).decode()


def test_editor_edits_previews_uploads_and_publishes(
    open_page, live_server, media_served, editor, seed_article
):
    page = log_in(open_page, f"/admin/articles/article/{seed_article.pk}/change/")

    editor_box = page.locator("textarea#id_body")
    preview = page.locator(".markdownx-preview")
    preview.get_by_text(OLD_SENTENCE).wait_for()
    body = editor_box.input_value()
    assert OLD_SENTENCE in body
    editor_box.fill(body.replace(OLD_SENTENCE, NEW_SENTENCE).rstrip() + "\n\n")
    preview.get_by_text(NEW_SENTENCE).wait_for(timeout=10_000)
    assert OLD_SENTENCE not in preview.inner_text()
    screenshot(page, "admin-edit-live-preview")

    editor_box.evaluate("box => box.setSelectionRange(box.value.length, box.value.length)")
    page.evaluate(DROP_FILE, ["textarea#id_body", _chart_png(), "chart.png", "image/png"])
    page.wait_for_function(
        "() => /!\\[\\]\\(\\/media\\/articles\\/uploads\\/[0-9a-f]{32}\\.png\\)/"
        ".test(document.querySelector('#id_body').value)",
        timeout=10_000,
    )
    uploaded = preview.locator("img[src^='/media/articles/uploads/']")
    uploaded.wait_for(state="attached", timeout=10_000)
    # Body images are lazy (as on the page): bring it into the preview's view so the browser loads it.
    preview.evaluate("box => { box.scrollTop = box.scrollHeight; }")
    image_url = uploaded.get_attribute("src")
    page.wait_for_function("img => img.complete && img.naturalWidth === 320", arg=uploaded.element_handle())
    preview.evaluate("box => { box.scrollTop = box.scrollHeight; }")
    screenshot(page, "admin-edit-image-dropped")

    page.click("input[name=_save]")
    page.wait_for_url("**/admin/articles/article/")
    assert "was changed successfully" in page.locator(".messagelist").inner_text()

    page.goto(f"{live_server.url}/admin/articles/article/{seed_article.pk}/history/")
    assert page.locator(".body-diff__added", has_text=NEW_SENTENCE).count() == 1
    assert page.locator(".body-diff__removed", has_text=OLD_SENTENCE).count() == 1
    screenshot(page, "admin-history-body-diff")
    page.click(".history-compare input[type=submit]")  # the newest two versions, chosen by default
    expect(page.locator(".body-diff__added", has_text=NEW_SENTENCE)).to_have_count(1)
    screenshot(page, "admin-history-compare")

    public = open_page(f"/blog/{SEED_SLUG}", viewport=DESKTOP)
    prose = public.locator(".prose")
    assert NEW_SENTENCE in prose.inner_text() and OLD_SENTENCE not in prose.inner_text()
    image = prose.locator(f"img[src='{image_url}']")
    assert image.count() == 1
    image.scroll_into_view_if_needed()  # lazy below the fold, as body images are
    # The page serves it as <picture> (a WebP rendition first), so check what the browser loaded.
    public.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    stem = image_url.rsplit("/", 1)[1].rsplit(".", 1)[0]
    assert stem in image.evaluate("img => img.currentSrc")
    assert public.locator(".preview-banner").count() == 0
    screenshot(public, "public-page-after-edit")
    assert page.console_errors == [] and public.console_errors == []


def test_a_refused_image_says_why_and_leaves_the_body_alone(open_page, live_server, editor, seed_article):
    page = log_in(open_page, f"/admin/articles/article/{seed_article.pk}/change/")
    page.locator(".markdownx-preview").get_by_text(OLD_SENTENCE).wait_for()
    body = page.locator("textarea#id_body").input_value()
    svg = base64.b64encode(
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    ).decode()
    page.evaluate(DROP_FILE, ["textarea#id_body", svg, "logo.svg", "image/svg+xml"])
    note = page.locator(".markdownx-upload-note.errornote")
    note.wait_for(timeout=10_000)
    assert "SVG images are not accepted" in note.inner_text()
    page.wait_for_function("body => document.querySelector('#id_body').value === body", arg=body)
    screenshot(page, "admin-upload-refused")
    # markdownx logs the refusal to the console itself; nothing else may fail.
    assert all("Invalid response" in error or "400" in error for error in page.console_errors)


def test_article_list_shows_visibility_filters_and_links(open_page, live_server, editor, seed_article):
    make_article(title="Election night live page", published=timezone.now() + timedelta(days=2))
    make_article(title="Unfinished profile", status=Status.DRAFT)
    page = log_in(open_page, "/admin/articles/article/")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 3
    assert page.locator("#result_list", has_text="Scheduled for").count() == 1
    assert page.locator("#changelist-filter", has_text="By visibility").count() == 1
    assert page.locator("select[name=action] option[value=publish]").count() == 1
    assert page.locator("select[name=action] option[value=delete_selected]").count() == 0
    screenshot(page, "admin-article-list")


def test_editor_filters_the_list_by_a_tag_found_in_the_autocomplete_box(open_page, live_server, editor):
    tag(make_article(title="Physics for poets"), "Science")
    tag(make_article(title="Haiku"), "Poetry")
    page = log_in(open_page, "/admin/articles/article/")
    page.locator('[data-filter-title="tags"] .select2-selection').click()
    page.locator(".select2-search__field").fill("sci")
    page.locator(".select2-results__option", has_text="Science").click()
    page.wait_for_url("**tags__id__exact=*")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1 and "Physics for poets" in rows.inner_text()
    assert page.locator('[data-filter-title="tags"] li.selected', has_text="Science").count() == 1

    page.locator('[data-filter-title="tags"] .select2-selection__clear').click()  # clears the filter
    page.wait_for_url(lambda address: "tags__id__exact" not in address)
    assert page.locator("#result_list tbody tr").count() == 2


def test_editor_previews_a_draft_with_a_banner(open_page, live_server, editor, seed_article):
    seed_article.status = Status.DRAFT
    seed_article.save()
    anonymous = open_page(None)
    assert anonymous.goto(f"{live_server.url}/blog/{SEED_SLUG}").status == 404
    assert anonymous.locator(".preview-banner").count() == 0

    page = log_in(open_page, f"/blog/{SEED_SLUG}")
    banner = page.locator(".preview-banner")
    assert banner.is_visible() and "Preview: not public." in banner.inner_text()
    screenshot(page, "staff-preview-of-a-draft")


def test_a_new_articles_slug_follows_its_title_as_the_importer_makes_it(
    open_page, live_server, editor, seed_article
):
    page = log_in(open_page, "/admin/articles/article/add/")
    page.fill("#id_title", "Đường phố Größe")
    slug = page.locator("#id_slug")
    expect(slug).to_have_value("duong-pho-grosse")
    page.fill("#id_title", seed_article.title)  # taken by the seed: the next free slug
    expect(slug).to_have_value(f"{seed_article.slug}-2")
    page.fill("#id_slug", "my-own")  # typed by hand: the title no longer changes it
    page.fill("#id_title", "Something else")
    page.wait_for_timeout(600)
    assert page.input_value("#id_slug") == "my-own"


def test_typed_text_is_autosaved_and_offered_back_after_the_tab_is_closed(
    open_page, live_server, editor, seed_article
):
    change = f"/admin/articles/article/{seed_article.pk}/change/"
    page = log_in(open_page, change)
    page.fill("#id_body", "A draft I never saved.")  # fill() sends the input event autosave.js waits for
    expect(page.locator(".autosave-status")).to_contain_text("Autosaved at", timeout=15_000)
    browser_session = page.context
    page.close()  # the tab is gone: nothing was saved

    assert Article.objects.get(pk=seed_article.pk).body == seed_article.body
    page = browser_session.new_page()
    page.goto(f"{live_server.url}{change}")
    offer = page.locator(".autosave-offer")
    expect(offer).to_contain_text("never saved to this article")
    offer.get_by_role("button", name="Restore it into the form").click()
    expect(page.locator("#id_body")).to_have_value("A draft I never saved.")
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/articles/article/")
    assert Article.objects.get(pk=seed_article.pk).body == "A draft I never saved."
    page.goto(f"{live_server.url}{change}")
    expect(page.locator(".autosave-status")).to_be_attached()
    assert page.locator(".autosave-offer").count() == 0


def test_two_editors_the_second_save_is_refused_and_names_the_first(
    open_page, live_server, editor, seed_article
):
    from django.contrib.auth.models import Group

    from articles.roles import EDITORS_GROUP

    from ..conftest import _user

    jane = _user("jane", is_staff=True, first_name="Jane", last_name="Doe")
    jane.groups.add(Group.objects.get(name=EDITORS_GROUP))
    change = f"/admin/articles/article/{seed_article.pk}/change/"
    mine = log_in(open_page, change)
    hers = open_page(f"/admin/login/?next={change}", viewport=DESKTOP)  # a second browser context
    hers.fill("#id_username", "jane")
    hers.fill("#id_password", PASSWORD)
    hers.click("input[type=submit]")
    hers.wait_for_url(f"**{change}")
    expect(hers.locator(".messagelist")).to_contain_text("Also open for editing by editor")

    hers.fill("#id_excerpt", "Jane's excerpt.")
    hers.click("input[name=_save]")
    hers.wait_for_url("**/admin/articles/article/")
    mine.fill("#id_title", "My title")
    mine.click("input[name=_save]")
    expect(mine.locator(".errorlist.nonfield")).to_contain_text("Not saved: Jane Doe saved this article")
    expect(mine.locator("#id_title")).to_have_value("My title")  # still there, to copy
    screenshot(mine, "admin-stale-save-refused")
    stored = Article.objects.get(pk=seed_article.pk)
    assert stored.excerpt == "Jane's excerpt." and stored.title == seed_article.title


def test_the_preview_follows_the_caret_to_the_block_being_edited(
    open_page, live_server, editor, seed_article
):
    page = log_in(open_page, f"/admin/articles/article/{seed_article.pk}/change/")
    body, preview = page.locator("#id_body"), page.locator(".markdownx-preview")
    expect(preview.locator("h1, h2").first).to_be_visible()
    assert preview.evaluate("box => box.scrollTop") == 0
    last_words = "discuss your project and explore"
    assert last_words in seed_article.body
    body.click()
    body.evaluate(
        "(box, words) => { const at = box.value.indexOf(words); box.setSelectionRange(at, at);"
        " box.dispatchEvent(new KeyboardEvent('keyup')); }",
        last_words,
    )
    expect(preview).to_have_attribute("data-followed", "p")
    paragraph = preview.locator("p", has_text=last_words)
    assert preview.evaluate("box => box.scrollTop") > 0
    box, block = preview.bounding_box(), paragraph.bounding_box()
    assert box["y"] <= block["y"] < box["y"] + box["height"]  # the edited block is in view


def test_pressing_save_without_a_change_changes_nothing(open_page, live_server, editor, seed_article):
    before = Article.objects.get(pk=seed_article.pk)
    versions = before.history.count()
    page = log_in(open_page, f"/admin/articles/article/{seed_article.pk}/change/")
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/articles/article/")
    after = Article.objects.get(pk=seed_article.pk)
    assert after.body == before.body and after.updated == before.updated and after.edited_at is None
    assert after.history.count() == versions
