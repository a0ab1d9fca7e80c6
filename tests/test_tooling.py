"""Without a browser the run says so first, and how to get one; under CI=true it says the run fails."""

from tests import tooling


def test_a_missing_browser_is_announced_with_the_way_to_get_one(monkeypatch):
    monkeypatch.setattr(tooling, "chromium_executable", lambda: None)
    monkeypatch.delenv("CI", raising=False)
    notice = tooling.missing_browser_notice()
    assert notice.startswith("No chromium: the browser tests will be skipped.")
    assert "make install" in notice and "playwright install chromium" in notice

    monkeypatch.setenv("CI", "true")
    assert "will fail (CI=true)" in tooling.missing_browser_notice()


def test_no_notice_when_a_browser_is_there(monkeypatch):
    monkeypatch.setattr(tooling, "chromium_executable", lambda: "/usr/bin/chromium")
    assert tooling.missing_browser_notice() is None
