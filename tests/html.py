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
