"""Whole-page caching for the reader's pages, made stale exactly by what changed, and the headers an
edge cache (Varnish, a CDN) needs to do the same.

Each page names the surrogate keys of what it shows (articles/surrogate_keys.py). Each key has a
*generation*, a random token deleted by `invalidate(keys)` (`site` is on every page: it makes all
of them stale) and made anew by the next page stored under it. A page is stored with the
generations of its keys and served only while they are all still current, so an edit of one
article leaves the rest of the site cached. A page names its
keys only once rendered, so generations cannot be read before the render; instead a *changes*
token, replaced by every invalidation before it touches any generation, is read before the render
and again after it, with the generations: if it moved, a change committed while the page was being
rendered and the page is not stored. A generation that is missing (never set, or lost) is set to a
new token before the page is stored, so a page stored before the loss never matches it again:
losing state makes pages stale, never fresh.

Scheduled publishing and expiry change what is public without a save. Every page is cached only
until the next scheduled time (*schedule* in the state), which is worked out from the rows when it
is missing or has passed, and otherwise only brought forward by the times a change reports, so a
change costs no query. Once it has passed, every page rendered before is stale (the site's lists,
feeds and neighbour links may all move). Responses carry an ETag (ConditionalGetMiddleware
answers 304) and `max-age=0, must-revalidate` for browsers, and for the edge `xkey` and `Cache-Tag`
(the page's keys) and `Surrogate-Control: max-age=N`, N being EDGE_MAX_AGE capped at the next
scheduled time; anything not to be kept by a shared cache says `Surrogate-Control: no-store`.

Generations, the changes token and the schedule are the *state*: it lives where culling pages
cannot drop it, in the PAGE_STATE_CACHE cache when CACHES has one (file and local-memory caches,
cms/settings.py), else with the pages (Redis, without expiry). A lookup reads the page and the
changes token (one MGET on Redis; only the token when this process holds the page from an earlier
hit or render, see RECENT_PAGES). A page stored under the current token is fresh: nothing at all
was invalidated, and no scheduled time was brought forward (invalidate() replaces the token for
that too), since. Only otherwise are its generations and the schedule read (a second round trip),
and a page they find current is stamped with the current token, so that the next hit costs the
token alone again. As a stamp can read generations that a change in flight has not written yet,
invalidate() replaces the token once more after them, which undoes such a stamp.

CachedPageMiddleware comes first in MIDDLEWARE: a hit costs no other middleware, and replays the
headers every middleware added to the render it stored (security, CSP, Vary, Content-Length). It
stores what @cached_page views answered, once those middleware have had their say, so a page that
gained a cookie on the way out (a CSRF token in a form) is never stored or shared. Requests with a
session cookie (editors, staff previews) bypass the cache, and a cache that is away (Redis down)
simply means uncached pages."""

from .pages import kept
from .serving import CachedPageMiddleware, cached_page, serve_hits_first
from .state import (
    CHANGES_KEY,
    SCHEDULE_KEY,
    generation_key,
    invalidate,
    invalidate_change,
    invalidate_changes,
    scheduled_times,
    state_cache,
)

__all__ = [
    "CHANGES_KEY",
    "SCHEDULE_KEY",
    "CachedPageMiddleware",
    "cached_page",
    "generation_key",
    "invalidate",
    "invalidate_change",
    "invalidate_changes",
    "kept",
    "scheduled_times",
    "serve_hits_first",
    "state_cache",
]
