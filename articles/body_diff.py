"""The body's changes between two versions, as the history page and a refused save show them."""

import difflib

from django.utils.html import format_html, format_html_join


def body_diff_html(old, new):
    """The lines of the body that changed between two versions, as a readable unified diff."""
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=1)
    rows = []
    for line in list(lines)[2:]:  # skip the ---/+++ file header
        kind = {"+": "added", "-": "removed", "@": "hunk"}.get(line[:1], "same")
        rows.append((kind, line))
    if not rows:
        return "No change to the body."
    # A box that scrolls must take the keyboard's focus to be scrolled without a mouse (WCAG 2.1.1;
    # axe's scrollable-region-focusable), and a focusable box needs a name (issue 14, defect 9).
    return format_html(
        '<pre class="body-diff" tabindex="0" role="region" aria-label="Changes to the body">{}</pre>',
        format_html_join("", '<span class="body-diff__{}">{}</span>', rows),
    )
