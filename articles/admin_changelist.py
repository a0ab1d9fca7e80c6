"""The article change list at 100,000 articles (issue 11): what it asks the database is a few index
seeks and one page of rows, however many articles there are.

Django's change list, as it comes, reads every row several times a request: COUNT(*) twice (the
page count and the "N total" beside a search), the date hierarchy's MIN/MAX in one query (SQLite
answers it by a scan) and its SELECT DISTINCT of every year or month, OFFSET over whole rows for
a deep page, the page itself with the bodies (two columns of kilobytes a row) that no column of
the list shows, and a sidebar link for each of the site's authors and tags. The search is
ArticleAdmin.get_search_results."""

import datetime

from django import forms
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.paginator import Paginator
from django.db import connections
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from .models import Article

# The columns of kilobytes that no column of the list shows.
UNLISTED_COLUMNS = (
    "excerpt",
    "body",
    "body_html",
    "front_matter_raw",
    "headings",
    "search_vector",
    "extra",
    "local_images",
    "image_renditions",
)

# Below this many rows COUNT(*) is cheap and exact: the estimate is used only above it.
ESTIMATE_ABOVE = 10_000
# From this row on, a page's rows are found by their keys first (EstimatedCountPaginator.page).
DEEP_PAGE_FROM = 1_000
# A filtered list (a search, a filter) is counted up to this many rows: ten pages of them. On
# PostgreSQL counting 1,001 matches of a word in 40% of 100,000 articles takes 15-25 ms; 10,001
# took 270 ms (the planner reads rows in table order and tests each one's vector).
COUNT_BOUND = 1_000


class ArticleChangeList(ChangeList):
    def get_results(self, request):
        # Only the page's rows lose their bodies: the actions get their queryset anew (whole rows,
        # since they save), and the date hierarchy only asks whether rows exist.
        self.queryset = self.queryset.defer(*UNLISTED_COLUMNS)
        super().get_results(request)


class AtLeast(int):
    """A count that stopped at its bound: shown as "1000+ results"."""

    def __str__(self):
        return f"{int(self)}+"


class EstimatedCountPaginator(Paginator):
    """The unfiltered list's count on PostgreSQL is the planner's estimate (pg_class.reltuples,
    kept by autovacuum and ANALYZE), since COUNT(*) reads every row there (MVCC: the count is
    per transaction). It may be off by a little: the last page may come up short, or a few oldest
    rows be reached only by a filter. Small tables and other databases count exactly (SQLite
    counts the smallest index, 100,000 entries in a few milliseconds).

    A filtered list is counted up to COUNT_BOUND rows: a search for a word that most articles
    have matches most of the table, and counting them all read every match's row (0.75 s for
    100,000 on PostgreSQL) for a number no editor pages through. Past the bound the list says
    "1000+" and pages that far; a narrower search or filter reaches the rest."""

    @cached_property
    def count(self):
        query = self.object_list.query
        connection = connections[self.object_list.db]
        if query.where:
            counted = self.object_list.order_by()[: COUNT_BOUND + 1].count()
            return AtLeast(COUNT_BOUND) if counted > COUNT_BOUND else counted
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [self.object_list.model._meta.db_table],
                )
                estimate = cursor.fetchone()[0]
            if estimate >= ESTIMATE_ABOVE:
                return estimate
        return super().count

    def page(self, number):
        """A deep page's keys first, then its rows by key. OFFSET makes the database produce every
        skipped row: with the author joined and the row read, for the last of 1,000 pages, 0.9 s on
        PostgreSQL (a sort of every row) and 1.2-2.3 s on SQLite; skipping keys alone reads the
        index article_list_order_idx (-published, -id, the list's order) and no article's row."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if bottom < DEEP_PAGE_FROM or self.object_list.query.distinct:
            return super().page(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        # The list's own ordering still applies, so the rows come in the same order as the keys.
        return self._get_page(self.object_list.filter(pk__in=keys), number, self)


def date_hierarchy(cl):
    """Django's date drill-down (the context of admin/date_hierarchy.html), with each year, month
    or day offered found by one EXISTS over an index range instead of a SELECT DISTINCT over every
    matching row, and the first and last dates by two index seeks instead of MIN and MAX together.
    The periods offered are those with at least one article in the list as filtered."""
    field = cl.date_hierarchy
    year, month, day = (cl.params.get(f"{field}__{part}") for part in ("year", "month", "day"))

    def link(filters):
        return cl.get_query_string(filters, [f"{field}__"])

    def exists(start, end):
        return cl.queryset.filter(**{f"{field}__gte": start, f"{field}__lt": end}).exists()

    if not (year or month or day):
        dated = cl.queryset.exclude(**{f"{field}__isnull": True}).values_list(field, flat=True)
        first, last = dated.order_by(field).first(), dated.order_by(f"-{field}").first()
        if first is None:
            return {"show": True, "back": None, "choices": []}
        first, last = timezone.localtime(first), timezone.localtime(last)
        if first.year != last.year:
            years = [y for y in range(first.year, last.year + 1) if exists(_start(y), _start(y + 1))]
            return {
                "show": True,
                "back": None,
                "choices": [{"link": link({f"{field}__year": str(y)}), "title": str(y)} for y in years],
            }
        year = first.year
        if first.month == last.month:
            month = first.month
    year = int(year)
    if month and day:
        date = datetime.date(year, int(month), int(day))
        return {
            "show": True,
            "back": {
                "link": link({f"{field}__year": year, f"{field}__month": month}),
                "title": capfirst(date_format(date, "YEAR_MONTH_FORMAT")),
            },
            "choices": [{"title": capfirst(date_format(date, "MONTH_DAY_FORMAT"))}],
        }
    if month:
        month = int(month)
        days = [
            d
            for d in _days_of(year, month)
            if exists(_start(year, month, d.day), _start(year, month, d.day) + datetime.timedelta(days=1))
        ]
        return {
            "show": True,
            "back": {"link": link({f"{field}__year": year}), "title": str(year)},
            "choices": [
                {
                    "link": link({f"{field}__year": year, f"{field}__month": month, f"{field}__day": d.day}),
                    "title": capfirst(date_format(d, "MONTH_DAY_FORMAT")),
                }
                for d in days
            ],
        }
    months = [m for m in range(1, 13) if exists(_start(year, m), _start(*_next_month(year, m)))]
    return {
        "show": True,
        "back": {"link": link({}), "title": _("All dates")},
        "choices": [
            {
                "link": link({f"{field}__year": year, f"{field}__month": m}),
                "title": capfirst(date_format(datetime.date(year, m, 1), "YEAR_MONTH_FORMAT")),
            }
            for m in months
        ],
    }


def _start(year, month=1, day=1):
    """Midnight starting that day in the current time zone, as the admin's date filters read it."""
    return timezone.make_aware(datetime.datetime(year, month, day))


def _next_month(year, month):
    return (year + 1, 1) if month == 12 else (year, month + 1)


def _days_of(year, month):
    day = datetime.date(year, month, 1)
    while day.month == month:
        yield day
        day += datetime.timedelta(days=1)


class AutocompleteListFilter(admin.RelatedFieldListFilter):
    """By author or by tag, chosen in the admin's autocomplete box (select2 over AuthorAdmin's and
    TagAdmin's search) instead of a link per author and per tag: at 100,000 articles a site has
    about 1,000 authors and 2,000 tags, and their links were half the list's rendering time (and
    "Show counts" one COUNT of every row per link). The sidebar lists "All" and the one chosen;
    the same address parameters as Django's filter (author__id__exact, tags__id__exact), so links
    to a filtered list keep working. The box sends the choice: static/articles/admin/filter-autocomplete.js."""

    template = "admin/articles/article/autocomplete_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.admin_site = model_admin.admin_site
        super().__init__(field, request, params, model, model_admin, field_path)

    def field_choices(self, field, request, model_admin):
        chosen = [value for value in self.lookup_val or () if value.isdigit()]
        if not chosen:
            return []
        return field.get_choices(include_blank=False, limit_choices_to={"pk__in": chosen})

    def has_output(self):
        return True

    def autocomplete(self):
        """The select2 box, showing the chosen author or tag, if any."""
        box = forms.ModelChoiceField(
            self.field.remote_field.model._default_manager.all(),
            required=False,
            widget=AutocompleteSelect(
                self.field, self.admin_site, attrs={"data-filter-parameter": self.lookup_kwarg}
            ),
        )
        chosen = self.lookup_choices[0][0] if self.lookup_choices else None
        return box.widget.render(self.lookup_kwarg, chosen, attrs={"id": f"filter_{self.lookup_kwarg}"})


def autocomplete_filter_media():
    """What the autocomplete filters need on the change list page: select2 (in the language of
    the request, as AutocompleteSelect picks it), then the script that sends the choice."""
    select2 = AutocompleteSelect(Article._meta.get_field("author"), admin.site).media
    return select2 + forms.Media(js=["articles/admin/filter-autocomplete.js"])
