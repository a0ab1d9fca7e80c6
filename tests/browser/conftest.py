"""Browser tests: Playwright for Python driving Debian's chromium (never a downloaded browser).

Every request that leaves loopback is answered here with a placeholder image and counted, so the
tests run offline and can assert which external requests a page makes. With CI=true a missing
chromium or Playwright fails the run instead of skipping it.
"""

import os
import shutil
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings

from ..conftest import PASSWORD
from ..tooling import chromium_executable, require

# Playwright's sync API runs an event loop in this thread; Django's ORM then refuses to run unless told.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
AXE_JS = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WCAG_2_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Drops a file on the markdownx editor as a user's drag and drop would: markdownx listens for the
# drop event and uploads event.dataTransfer.files.
DROP_FILE = """([selector, base64, name, type]) => {
  const bytes = Uint8Array.from(atob(base64), c => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, {type: type}));
  const target = document.querySelector(selector);
  for (const type of ["dragenter", "dragover", "drop"]) {
    target.dispatchEvent(new DragEvent(type, {dataTransfer: transfer, bubbles: true, cancelable: true}));
  }
}"""


def _placeholder_png():
    from ..factories import image_bytes

    return image_bytes(size=(8, 5), color=(200, 200, 200))


@pytest.fixture(scope="session")
def browser():
    executable = chromium_executable()
    require(executable is not None, "chromium (make install gets it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "Playwright for Python")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def open_page(browser, live_server):
    """open_page(path, viewport=DESKTOP) -> a Playwright page at live_server + path, with
    page.console_errors and page.external_requests (answered with a placeholder image) collected."""
    contexts = []
    placeholder = _placeholder_png()

    def open_(path, viewport=DESKTOP, **context_options):
        context = browser.new_context(viewport=viewport, **context_options)
        contexts.append(context)
        page = context.new_page()
        page.console_errors, page.external_requests = [], []

        def route(route):
            if urlsplit(route.request.url).hostname in LOOPBACK:
                route.continue_()
            else:
                page.external_requests.append(route.request.url)
                route.fulfill(status=200, content_type="image/png", body=placeholder)

        context.route("**/*", route)
        page.on(
            "console", lambda message: message.type == "error" and page.console_errors.append(message.text)
        )
        page.on("pageerror", lambda error: page.console_errors.append(str(error)))
        if path is not None:
            page.goto(live_server.url + path, wait_until="networkidle")
        return page

    yield open_
    for context in contexts:
        context.close()


def screenshot(page, name):
    """Save a full-page screenshot as a test artifact (tests/artifacts/, ignored by git)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(open_page, next_path, viewport=DESKTOP, username="editor", **context_options):
    """Through the real login form, as an editor would; returns the page at next_path."""
    page = open_page(f"/admin/login/?next={quote(next_path)}", viewport=viewport, **context_options)
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(lambda address: address.endswith(next_path))
    return page


def axe_violations(page, impacts=None):
    """axe-core's WCAG 2 A/AA violations on the page as it is now, one line each ("rule: help (how
    many: first target)"); only those of the given impacts ("serious", "critical") when asked.
    The page's context must bypass the CSP (bypass_csp=True): the site's rightly refuses the
    injected checker. Fails the test when axe ran fewer than ten rules (it did not really run)."""
    require(Path("/usr/bin/node").exists() or shutil.which("node"), "Node (node)")
    require(AXE_JS.exists(), "axe-core (node_modules/axe-core; run npm ci)")
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "options => axe.run(document, options)", {"runOnly": {"type": "tag", "values": WCAG_2_A_AA}}
    )
    assert len(result["passes"]) > 10, "axe did not run its rules on this page"
    return [
        f"{v['id']} [{v['impact']}]: {v['help']} ({len(v['nodes'])}: {v['nodes'][0]['target']})"
        for v in result["violations"]
        if impacts is None or v["impact"] in impacts
    ]
