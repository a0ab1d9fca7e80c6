"""Markdown to safe HTML: the one renderer behind the article page and the admin preview.

`render(text, title=None)` is pure: no ORM, no request, no settings. The page stores its result in
`Article.body_html` at save time; the admin preview calls it on every keystroke, so the preview is
the page. Raw HTML in Markdown is parsed (real articles carry it) and everything then goes through an
nh3 allowlist, so no script, style, iframe, event handler or javascript:/data: URL survives.
"""

import html
import math
import re
import unicodedata

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.gfm import gfm_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

# Stored HTML is a cache of render(); bump this when its output changes so that importers and
# `Article.save()` callers know old body_html is stale (part of the importer's unchanged-file hash).
# 2: heading permalinks, Pygments highlighting, lazy images; 3: no skipped heading levels.
RENDER_VERSION = "3"

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "input",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "picture",
    "pre",
    "q",
    "s",
    "samp",
    "section",
    "small",
    "source",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
    "var",
    "wbr",
}
ALLOWED_ATTRIBUTES = {
    "*": {"title", "lang", "dir"},
    # aria-label names the heading permalinks ("#" alone says nothing to a screen reader).
    "a": {"href", "id", "aria-label"},
    "img": {"src", "alt", "width", "height", "loading"},
    "source": {"srcset", "type", "media", "sizes"},
    "h1": {"id"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "h5": {"id"},
    "h6": {"id"},
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
# Pygments token classes carry our "hl-" prefix, so they cannot collide with the site's classes.
_CLASS_PREFIXES = (
    "language-",
    "footnote",
    "task-list",
    "contains-task-list",
    "markdown-alert",
    "header-anchor",
    HIGHLIGHT_CLASS_PREFIX := "hl-",
)
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}
# Markdown tables align cells with style="text-align:…"; no other CSS reaches the page.
ALLOWED_STYLE_PROPERTIES = {"text-align"}
# Whole elements (with their text) that never belong in an article body.
DROPPED_WITH_CONTENT = {
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "template",
    "noscript",
    "textarea",
    "select",
    "button",
    "form",
    "svg",
    "math",
}

_EXTERNAL_LINK = re.compile(r'<a (?=[^>]*\bhref="(?:https?:)?//)')
_LAZY_IMAGE = re.compile(r"<img (?![^>]*\bloading=)")


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
    """The page's only <h1> is the title: one top heading, where readers and screen readers start.

    A first body H1 that repeats the title is dropped (the seed starts with one); any other H1 becomes
    an H2. Runs before the anchor rule, so heading ids are given to the headings that remain.
    """
    title = state.env.get("title")
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h1":
            token.tag = tokens[i + 2].tag = "h2"
    # A heading's tokens are open, inline, close; the body's first block is tokens[0].
    if (
        tokens
        and tokens[0].tag == "h2"
        and tokens[0].markup in ("#", "=")
        and title
        and (_normalized(tokens[1].content) == _normalized(title))
    ):
        del tokens[0:3]


def _heading_id(text):
    slug = re.sub(r"[^\w\- ]", "", unicodedata.normalize("NFKC", text).casefold()).strip()
    return re.sub(r"[\s-]+", "-", slug) or "section"


def _add_permalinks(state: StateCore):
    """Append a "#" link to each heading that has an id, so readers can copy a section's address.

    Runs after the anchor rule. The link is named for screen readers by the heading's own text."""
    tokens = state.tokens
    for i, token in enumerate(tokens):
        heading_id = token.attrGet("id") if token.type == "heading_open" else None
        if not heading_id:
            continue
        inline = tokens[i + 1]
        text = "".join(
            child.content for child in inline.children or () if child.type in {"text", "code_inline"}
        )
        label = html.escape(f"Link to section: {' '.join(text.split())}", quote=True)
        link = Token("html_inline", "", 0)
        link.content = (
            f' <a class="header-anchor" href="#{html.escape(str(heading_id), quote=True)}"'
            f' aria-label="{label}">#</a>'
        )
        inline.children = [*(inline.children or []), link]


_HIGHLIGHT_FORMATTER = HtmlFormatter(nowrap=True, classprefix=HIGHLIGHT_CLASS_PREFIX)


def _highlight(code, language, _attrs):
    """Pygments token spans for fenced code in a language it knows; "" lets markdown-it escape the
    code as plain text. Colours come from static/css/highlight.css, our own, not a Pygments theme."""
    if not language:
        return ""
    try:
        lexer = get_lexer_by_name(language)
    except ClassNotFound:
        return ""
    return highlight(code, lexer, _HIGHLIGHT_FORMATTER)


def _build_parser():
    md = MarkdownIt("commonmark", {"html": True, "typographer": False, "highlight": _highlight})
    md.use(gfm_plugin)
    md.use(anchors_plugin, min_level=1, max_level=6, slug_func=_heading_id)
    md.core.ruler.before("anchor", "demote_body_h1", _demote_body_h1)
    md.core.ruler.after("anchor", "permalinks", _add_permalinks)
    return md


# One parser for the process: MarkdownIt.render keeps no state between calls (state lives in `env`).
_PARSER = _build_parser()


def render(text, title=None, image_urls=None):
    """Render Markdown `text` to sanitized HTML; `title` is the article's, to keep one <h1>.

    `image_urls` maps image addresses as written in the body (e.g. ./cover.png) to where the
    images are served now; only the HTML changes, the Markdown keeps what its author wrote."""
    unsafe = _PARSER.render(text or "", {"title": title or ""})
    safe = _EXTERNAL_LINK.sub('<a rel="noopener" ', _close_heading_gaps(_SANITIZER.clean(unsafe)))
    if image_urls:
        safe = _rewrite_image_sources(safe, image_urls)
    # Body images sit below the title and byline, below the fold: the browser may fetch them late.
    return _LAZY_IMAGE.sub('<img loading="lazy" ', safe)


# The sanitizer escapes "<" in text and in attribute values alike, so every "<" in its output opens
# a tag, and alt="<h4>" (written &lt;h4&gt;) is never taken for a heading.
_HEADING_TAG = re.compile(r"<(/?)h([1-6])\b")


def _close_heading_gaps(safe_html):
    """Renumber the body's headings so that none skips a level: the first is an <h2> (the page's <h1>
    is the title) and each is at most one level below the heading it sits under.

    Authors skip levels for the look (the seed goes from ## to ####); screen readers and the HTML
    checker read levels as structure. What is under what stays as written: a heading goes one level
    below the nearest heading before it that was written at a higher level. Markdown and raw HTML
    headings alike; ids and the table of contents follow, as they are read from this output."""
    sections = []  # (level as written, level on the page) of the headings the text is under
    open_levels = []  # the page level of each heading whose end tag is still to come

    def renumber(heading):
        # An <h1> counts as written at h2, as _demote_body_h1 makes the Markdown ones.
        closing, written = heading[1], max(int(heading[2]), 2)
        if closing:
            level = open_levels.pop() if open_levels else written
        else:
            while sections and sections[-1][0] >= written:
                sections.pop()
            level = sections[-1][1] + 1 if sections else 2
            sections.append((written, level))
            open_levels.append(level)
        return f"<{closing}h{level}"

    return _HEADING_TAG.sub(renumber, safe_html)


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


# Readers of the web read about 230 words a minute; round up so a short article says "1 min".
WORDS_PER_MINUTE = 230


# The sanitizer's serializer writes well-formed HTML with double-quoted attributes, so these
# patterns read it reliably, and several times faster than an HTMLParser pass (import speed).
_HEADING = re.compile(r"<h([2-6])\b([^>]*)>(.*?)</h\1>", re.S)
_ID = re.compile(r'\bid="([^"]*)"')
_PERMALINK = re.compile(r'<a [^>]*class="header-anchor"[^>]*>.*?</a>', re.S)
_TAG = re.compile(r"<[^>]+>")


def outline(body_html):
    """(headings, reading_minutes) of rendered HTML: headings as [{"level", "id", "text"}], for the
    table of contents. Read from the stored HTML at save time, never by rendering again."""
    text_html = _PERMALINK.sub("", body_html)
    headings = []
    for level, attributes, inner in _HEADING.findall(text_html):
        heading_id = _ID.search(attributes)
        if heading_id and heading_id[1]:
            headings.append(
                {
                    "level": int(level),
                    "id": html.unescape(heading_id[1]),
                    "text": " ".join(html.unescape(_TAG.sub("", inner)).split()),
                }
            )
    words = len(html.unescape(_TAG.sub(" ", text_html)).split())
    minutes = math.ceil(words / WORDS_PER_MINUTE) if words else 0
    return headings, minutes
