"""Reading rendered pages as a browser would: elements and attributes, not substrings."""

import json
import re
from html.parser import HTMLParser


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []
        self.texts = {}
        self._open = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._open.append([tag, ""])

    def handle_endtag(self, tag):
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                name, text = self._open.pop(i)
                self.texts.setdefault(name, []).append(" ".join(text.split()))
                break

    def handle_data(self, data):
        for item in self._open:
            item[1] += data


def parse(html):
    collector = _Collector()
    collector.feed(html)
    return collector


def links(html, rel):
    """The href of every <link> and <a> with this rel, in page order."""
    return [a["href"] for tag, a in parse(html).elements if tag in {"link", "a"} and a.get("rel") == rel]


def metas(html):
    """The page's <meta> values by name or property (description, og:title, twitter:image...)."""
    return {
        (a.get("name") or a.get("property")): a.get("content")
        for tag, a in parse(html).elements
        if tag == "meta"
    }


def json_ld(html):
    """The page's JSON-LD block, decoded."""
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def active_content(html):
    """Everything in `html` that could run script: script elements, on* handlers, script URLs."""
    found = []
    for tag, attrs in parse(html).elements:
        # JSON-LD is data the browser never runs; its escaping has its own test (test_escaping).
        if tag == "script" and attrs.get("type") == "application/ld+json":
            continue
        if tag in {"script", "iframe", "object", "embed"}:
            found.append(tag)
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append(f"{tag}[{name}]")
            if (
                name in {"href", "src", "action", "formaction", "content"}
                and value
                and (value.strip().lower().startswith(("javascript:", "data:", "vbscript:")))
            ):
                found.append(f"{tag}[{name}={value}]")
    return found


class _FormReader(HTMLParser):
    """The controls of a page's forms, in document order, as their HTML sets them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []  # [(attrs, [(tag, attrs, value)])]
        self._text = None  # the open <textarea> or <option>: [tag, attrs, text]
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append((attrs, []))
        elif not self.forms:
            return
        elif tag == "input":
            self.forms[-1][1].append(("input", attrs, attrs.get("value", "")))
        elif tag == "select":
            self._select = attrs
        elif tag in {"textarea", "option"}:
            self._text = [tag, attrs, ""]

    def handle_data(self, data):
        if self._text is not None:
            self._text[2] += data

    def handle_endtag(self, tag):
        if self._text is not None and tag == self._text[0]:
            name, attrs, text = self._text
            self._text = None
            if name == "textarea":
                # HTML drops one newline right after <textarea> (Django writes one there).
                self.forms[-1][1].append(("textarea", attrs, text.removeprefix("\n")))
            elif self._select is not None and "selected" in attrs:
                self.forms[-1][1].append(("select", self._select, attrs.get("value", text)))
        elif tag == "select":
            self._select = None


def submitted_form(html, button="_save"):
    """What a browser sends when the page's main POST form is submitted by `button` unchanged: its
    successful controls, textareas with their line breaks as CRLF (the HTML standard's form
    submission), unchecked boxes and file inputs left out. Returns {name: value or [values]}."""
    reader = _FormReader()
    reader.feed(html)
    posted = [form for form in reader.forms if form[0].get("method", "").lower() == "post"]
    _, controls = max(posted, key=lambda form: len(form[1]))  # not the header's log-out form
    data = {}
    for tag, attrs, value in controls:
        name = attrs.get("name")
        kind = attrs.get("type", "text").lower()
        if not name or "disabled" in attrs:
            continue
        if tag == "input" and (
            kind in {"file", "image", "reset", "button"} or (kind == "submit" and name != button)
        ):
            continue
        if tag == "input" and kind in {"checkbox", "radio"} and "checked" not in attrs:
            continue
        if tag == "input" and kind in {"checkbox", "radio"} and "value" not in attrs:
            value = "on"
        if tag == "textarea":
            value = re.sub(r"\r\n|\r|\n", "\r\n", value)
        data.setdefault(name, []).append(value)
    data.setdefault(button, ["Save"])
    return {name: values[0] if len(values) == 1 else values for name, values in data.items()}
