"""Every box of the article change form has a name a screen reader can read, without JavaScript: a
<label for> or an aria-label (issue 14, defect 9; the select2 boxes scripts make are named by
static/articles/admin/accessible-names.js and checked by axe in tests/browser/)."""

import pytest

from .html import parse

FIELDS = {"input", "select", "textarea"}
UNNAMED_BY_DESIGN = {"hidden", "submit", "button"}


def _unnamed_boxes(html):
    elements = parse(html).elements
    labelled = {attrs.get("for") for tag, attrs in elements if tag == "label"}
    return [
        attrs.get("id") or attrs.get("name")
        for tag, attrs in elements
        if tag in FIELDS
        and attrs.get("type") not in UNNAMED_BY_DESIGN
        and attrs.get("id") not in labelled
        and not attrs.get("aria-label")
    ]


@pytest.mark.parametrize("page", ["change", "add"])
def test_every_box_of_the_article_form_has_a_label(client, editor, seed_article, page):
    client.force_login(editor)
    url = (
        f"/admin/articles/article/{seed_article.pk}/change/"
        if page == "change"
        else "/admin/articles/article/add/"
    )
    html = client.get(url).content.decode()
    assert 'id="id_published_0"' in html and 'id="id_published_1"' in html
    assert _unnamed_boxes(html) == []
