"""Markdown to safe HTML: the one renderer behind the article page and the admin preview.

`render(text, title=None)` is pure: no ORM, no request, no settings. The page stores its result in
`Article.body_html` at save time; the admin preview calls it on every keystroke, so the preview is
the page. Raw HTML in Markdown is parsed (real articles carry it) and everything then goes through an
nh3 allowlist, so no script, style, iframe, event handler or javascript:/data: URL survives.
"""

import html
import re
import unicodedata

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.gfm import gfm_plugin

# Stored HTML is a cache of render(); bump this when its output changes so that importers and
# `Article.save()` callers know old body_html is stale (part of the importer's unchanged-file hash).
RENDER_VERSION = "1"

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd",
    "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "input", "ins", "kbd", "li", "mark", "ol", "p", "picture",
    "pre", "q", "s", "samp", "section", "small", "source", "span", "strong", "sub", "summary",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var", "wbr",
}
ALLOWED_ATTRIBUTES = {
    "*": {"title", "lang", "dir"},
    "a": {"href", "id"},
    "img": {"src", "alt", "width", "height", "loading"},
    "source": {"srcset", "type", "media", "sizes"},
    "h1": {"id"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "li": {"id"},
    "ol": {"start", "reversed"},
    "td": {"style", "colspan", "rowspan"},
    "th": {"style", "colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "details": {"open"},
    "input": {"type", "checked", "disabled"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "abbr": {"title"},
}
# Only the classes our renderer itself emits (code languages, footnotes, task lists, alerts):
# content cannot borrow the site's own classes to restyle or hide parts of the page.
_CLASS_PREFIXES = ("language-", "footnote", "task-list", "contains-task-list", "markdown-alert")
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}
# Markdown tables align cells with style="text-align:…"; no other CSS reaches the page.
ALLOWED_STYLE_PROPERTIES = {"text-align"}
# Whole elements (with their text) that never belong in an article body.
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "noscript",
                        "textarea", "select", "button", "form", "svg", "math"}

_EXTERNAL_LINK = re.compile(r'<a (?=[^>]*\bhref="(?:https?:)?//)')


def _keep_attribute(tag, attribute, value):
    if attribute == "class":
        kept = [name for name in value.split() if name.startswith(_CLASS_PREFIXES)]
        return " ".join(kept) or None
    if tag == "input" and attribute == "type":
        # Task-list checkboxes only: no text fields or buttons inside an article.
        return value if value == "checkbox" else None
    return value


def _with_class(attributes):
    return {tag: names | {"class"} for tag, names in attributes.items()}


_SANITIZER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags=DROPPED_WITH_CONTENT,
    attributes=_with_class(ALLOWED_ATTRIBUTES),
    attribute_filter=_keep_attribute,
    url_schemes=ALLOWED_URL_SCHEMES,
    filter_style_properties=ALLOWED_STYLE_PROPERTIES,
    link_rel=None,
    strip_comments=True,
)


def _normalized(text):
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _demote_body_h1(state: StateCore):
    """The page's only <h1> is the title (issue #2).

    A first body H1 that repeats the title is dropped (the seed starts with one); any other H1 becomes
    an H2. Runs before the anchor rule, so heading ids are given to the headings that remain.
    """
    title = state.env.get("title")
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h1":
            token.tag = tokens[i + 2].tag = "h2"
    # A heading's tokens are open, inline, close; the body's first block is tokens[0].
    if tokens and tokens[0].tag == "h2" and tokens[0].markup in ("#", "=") and title and (
        _normalized(tokens[1].content) == _normalized(title)
    ):
        del tokens[0:3]


def _heading_id(text):
    slug = re.sub(r"[^\w\- ]", "", unicodedata.normalize("NFKC", text).casefold()).strip()
    return re.sub(r"[\s-]+", "-", slug) or "section"


def _build_parser():
    md = MarkdownIt("commonmark", {"html": True, "typographer": False})
    md.use(gfm_plugin)
    md.use(anchors_plugin, min_level=1, max_level=6, slug_func=_heading_id)
    md.core.ruler.before("anchor", "demote_body_h1", _demote_body_h1)
    return md


# One parser for the process: MarkdownIt.render keeps no state between calls (state lives in `env`).
_PARSER = _build_parser()


def render(text, title=None, image_urls=None):
    """Render Markdown `text` to sanitized HTML; `title` is the article's, to keep one <h1>.

    `image_urls` maps image addresses as written in the body (e.g. ./cover.png) to where the
    images are served now; only the HTML changes, the Markdown keeps what its author wrote."""
    unsafe = _PARSER.render(text or "", {"title": title or ""})
    safe = _EXTERNAL_LINK.sub('<a rel="noopener" ', _SANITIZER.clean(unsafe))
    if image_urls:
        safe = _rewrite_image_sources(safe, image_urls)
    return safe


_IMAGE_SOURCE = re.compile(r'(<img [^>]*?src=")([^"]*)(")')


def _rewrite_image_sources(safe_html, image_urls):
    lookup = {}
    for written, served in image_urls.items():
        lookup[written] = lookup[_PARSER.normalizeLink(written)] = served
    def replace(match):
        served = lookup.get(html.unescape(match[2]))
        return match[0] if served is None else f"{match[1]}{html.escape(served)}{match[3]}"
    return _IMAGE_SOURCE.sub(replace, safe_html)


_FIRST_IMAGE = re.compile(r'<img [^>]*?src="([^"]+)"')


def first_image_url(body_html):
    """The src of the first image in rendered HTML, or "" (og:image when an article has none)."""
    match = _FIRST_IMAGE.search(body_html)
    return html.unescape(match.group(1)) if match else ""
