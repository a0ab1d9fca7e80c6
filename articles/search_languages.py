"""PostgreSQL full-text search in each article's own language: its vector is made with the text
search configuration of its language (french stems "mangeaient" to "mang"), `simple` (no stemming,
no stop words) for a language PostgreSQL has none for; a search looks for its words in every site
language's configuration at once, or in one language's when narrowed to it (?lang=fr)."""

from django.contrib.postgres.search import SearchQuery
from django.db.models import Case, Q, Value, When

from .translations import site_language

# The configurations PostgreSQL (12 and later) ships, by language code.
CONFIGURATIONS = {
    "ar": "arabic",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hu": "hungarian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "nb": "norwegian",
    "ne": "nepali",
    "nl": "dutch",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
}
SIMPLE = "simple"


def configuration(code):
    """The text search configuration of language `code` (pt-BR: portuguese), else simple."""
    return CONFIGURATIONS.get(code.lower().split("-")[0], SIMPLE)


def of_article(locale):
    """of_each_article()'s configuration for an article whose locale is `locale`, worked out here."""
    return configuration(site_language()) if locale == "" else configuration(locale)


def of_each_article():
    """The configuration of each row's language, as an SQL expression: its locale's, else the
    site language's (an article with no locale is in the site's language)."""
    return Case(
        *(
            When(Q(locale__iexact=code) | Q(locale__istartswith=f"{code}-"), then=Value(name))
            for code, name in CONFIGURATIONS.items()
        ),
        When(locale="", then=Value(configuration(site_language()))),
        default=Value(SIMPLE),
    )


def words(terms, languages):
    """The search `terms` as a query that matches a vector made in any of `languages`' configurations
    (and simple's, for the articles in a language PostgreSQL cannot stem)."""
    names = sorted({configuration(code) for code in languages} | {SIMPLE})
    query = SearchQuery(terms, search_type="websearch", config=names[0])
    for name in names[1:]:
        query |= SearchQuery(terms, search_type="websearch", config=name)
    return query
