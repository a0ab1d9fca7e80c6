"""Tools the slow tests need (chromium, Java, PostgreSQL): skipped locally when missing, a failure
under CI=true, where nothing may be skipped (DEVELOPERS.md)."""

import os

import pytest


def require(condition, what):
    if condition:
        return
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"{what} is missing and CI=true: install it (.ci/run does)", pytrace=False)
    pytest.skip(f"{what} is missing")
