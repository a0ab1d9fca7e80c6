"""The edits phase of bench/cache_replay.py: single admin edits, each with every page readers asked
for looked up before and after it (read only). Imported only when that phase starts, after the
crawl and the readers' window: a fix here reaches a run already under way.
"""

import sys
import time
from html.parser import HTMLParser
from unittest import mock

from bench.cache_replay import EDIT_RANKS, EDITED, HEADERS


class _ReadOnly:
    """The pages' cache, read but not written: looking pages up must not change what is cached (a
    page found current is stamped, a write, and a write to a full file cache culls others)."""

    def __init__(self, cache):
        self.get, self.get_many = cache.get, cache.get_many

    def set(self, *args, **kwargs):
        pass


def looked_up(paths):
    """{path: (when it was looked up, until when its page is fresh or None when the page cache would
    not answer it, the surrogate keys the cached page names)}, each path looked up as a reader's GET
    (nothing rendered)."""
    from django.test import RequestFactory
    from django.utils import timezone

    from articles.page_cache import pages

    factory = RequestFactory(headers=HEADERS)
    fresh = pages._fresh
    served = []

    def noted(*args):
        current = fresh(*args)
        served.append(current)
        return current

    found = {}
    with mock.patch.object(pages, "cache", _ReadOnly(pages.cache)), mock.patch.object(pages, "_fresh", noted):
        for path in paths:
            served.clear()
            looked_at = timezone.now()
            response = pages.lookup(factory.get(path)).response
            if response is None:
                found[path] = (looked_at, None, frozenset())
            else:
                found[path] = (looked_at, served[-1].fresh_until, frozenset(response.get("xkey", "").split()))
    pages._recent.clear()  # pages looked up here are not pages readers read
    return found


def cached(found):
    return {path for path, (_, fresh_until, _) in found.items() if fresh_until is not None}


class _FormFields(HTMLParser):
    """The fields of the form with id `form_id`, as a browser submits them (no files)."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.fields = form_id, False, []
        self._textarea = self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "disabled" in attrs:
            return
        kind = attrs.get("type", "text")
        if tag == "input" and kind not in {"submit", "button", "file", "image", "reset"}:
            if kind not in {"checkbox", "radio"} or "checked" in attrs:
                self.fields.append(
                    [attrs.get("name"), attrs.get("value", "on" if kind == "checkbox" else "")]
                )
        elif tag == "textarea":
            self._textarea = [attrs.get("name"), ""]
            self.fields.append(self._textarea)
        elif tag == "select":
            self._select = (attrs.get("name"), "multiple" in attrs, len(self.fields))
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append([self._select[0], attrs.get("value", "")])

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            # A browser drops the newline that directly follows <textarea>.
            self._textarea[1] = self._textarea[1].removeprefix("\r\n").removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self.inside = False


def admin_edit(editor, pk):
    """Retitle article `pk` through the admin's change form, as an editor does: the event's keys, and
    the save's (the POST's) queries and seconds."""
    from django.db import connection

    from publishing.models import Event

    url = f"/admin/articles/article/{pk}/change/"
    parser = _FormFields("article_form")
    parser.feed(editor.get(url).content.decode())
    data = {}
    for name, value in parser.fields:
        if name:
            data.setdefault(name, []).append(value)
    # Edited, or edited back: a site reused by the next run stays the site it was built as.
    title = data["title"][0]
    data["title"] = [title.removesuffix(EDITED) if title.endswith(EDITED) else title + EDITED]
    data["_save"] = ["Save"]
    latest = Event.objects.filter(article_id=pk).order_by("-created_at").first()
    queries = []
    started = time.perf_counter()
    with connection.execute_wrapper(lambda execute, *args: queries.append(1) or execute(*args)):
        response = editor.post(url, data)
    seconds = time.perf_counter() - started
    if response.status_code != 302:
        raise SystemExit(f"the admin refused the edit of article {pk} ({response.status_code})")
    event = Event.objects.filter(article_id=pk).order_by("-created_at").first()
    if event is None or (latest is not None and event.pk == latest.pk):
        raise SystemExit(f"the admin edit of article {pk} wrote no publish event")
    return frozenset(event.keys), len(queries), seconds


def edits(replay, editor, pks, count, *, edit=admin_edit, look_up=looked_up):
    results = []
    for rank in EDIT_RANKS[:count]:
        # Every page stored so far, the crawl's included (at 100,000 articles about 101,000: what
        # "never the whole site" is measured against), each with the keys its cached copy names.
        seen = list(replay.stored_at)
        started = time.perf_counter()
        before = look_up(seen)
        lookup_seconds = time.perf_counter() - started
        # One edit, its event's keys read once. (Called inside the set below, it was one admin edit
        # per cached page: thousands of edits, 9+ minutes at 20,000 articles, and every page stale.)
        keys, queries, seconds = edit(editor, pks[rank - 1])
        named = {path for path in cached(before) if before[path][2] & keys}
        after = look_up(seen)
        gone = cached(before) - cached(after)
        # A page whose lifetime ran out before it was looked up again expired: the edit did not make
        # it stale (at 100,000 pages under load, the two lookups took longer than a 600 s lifetime).
        expired = {path for path in gone if before[path][1] <= after[path][0]}
        stale = gone - expired
        results.append(
            {
                "rank": rank,
                "cached": len(cached(before)),
                "named": len(named),
                "stale": len(stale),
                "expired": len(expired),
                "stale_not_named": len(stale - named),
                "named_still_served": len(named & cached(after)),
                "save_queries": queries,
                "save_ms": round(seconds * 1000, 1),
                "lookup_seconds": round(lookup_seconds, 1),
                "stale_paths": sorted(stale)[:20],
                "stale_not_named_paths": sorted(stale - named)[:20],
            }
        )
        sys.stderr.write(f"{time.strftime('%H:%M:%S')} edit of rank {rank}: {results[-1]}\n")
        # Readers ask again for what it made stale: the next edit starts from a full cache.
        for path in stale:
            replay.get("after an edit", path)
    return results
