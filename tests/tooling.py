"""Tools the slow tests need (chromium, Java, PostgreSQL): skipped locally when missing, a failure
under CI=true, where nothing may be skipped.

`python -m tests.tooling browser` exits 0 when a browser for the browser tests is there; `make
install` uses it to decide whether to get one."""

import functools
import os
import socket
import sys
from pathlib import Path

import pytest

DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
HOW_TO_GET_A_BROWSER = (
    "run `make install` as root (installs Debian's chromium with apt), or "
    "`.venv/bin/playwright install chromium` on a machine with internet"
)


def in_ci():
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition, what):
    if condition:
        return
    if in_ci():
        pytest.fail(f"{what} is missing and CI=true: install it (.ci/run does)", pytrace=False)
    pytest.skip(f"{what} is missing")


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now, for a server a test starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@functools.cache
def chromium_executable():
    """The chromium the browser tests drive: Debian's when installed (CI and these machines), else the
    build `playwright install chromium` downloaded on a workstation; None when there is neither."""
    if DEBIAN_CHROMIUM.exists():
        return str(DEBIAN_CHROMIUM)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    with sync_playwright() as playwright:
        downloaded = playwright.chromium.executable_path
    return downloaded if Path(downloaded).exists() else None


def missing_browser_notice():
    """One line for the top of a test run when the browser tests cannot run, or None."""
    if chromium_executable():
        return None
    consequence = "fail (CI=true)" if in_ci() else "be skipped"
    return f"No chromium: the browser tests will {consequence}. To run them, {HOW_TO_GET_A_BROWSER}."


if __name__ == "__main__":
    if sys.argv[1:] == ["browser"]:
        found = chromium_executable()
        sys.stdout.write(f"{found or 'no chromium'}\n")
        sys.exit(0 if found else 1)
    sys.exit(f"usage: {sys.argv[0]} browser")
