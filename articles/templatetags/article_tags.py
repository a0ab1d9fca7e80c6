"""Formatting filters and the page's metadata for the reader's templates. None of them queries the
database: the views pass articles with their author already joined."""

import json

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language_info, ngettext

register = template.Library()

# The characters that could end a <script> element or open a comment inside it, as JSON escapes
# (the same table as django.utils.html.json_script): a title with "</script>" stays data.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def ld_json(data):
    """<script type="application/ld+json"> for `data`; json_script cannot set that type."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@register.simple_tag
def article_json_ld(article, url, image_url=""):
    """The page's schema.org BlogPosting as JSON-LD; `url` and `image_url` are absolute. Empty values
    are left out rather than written as null."""
    modified = article.updated or article.published
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": article.title,
        "description": article.excerpt,
        "datePublished": article.published.isoformat() if article.published else None,
        "dateModified": modified.isoformat() if modified else None,
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME},
        "inLanguage": article.locale,
        "image": image_url,
    }
    if article.author:
        data["author"] = {"@type": "Person", "name": article.author.name}
        if article.author.url:
            data["author"]["url"] = article.author.url
    return ld_json({key: value for key, value in data.items() if value not in (None, "")})


@register.filter
def og_locale(locale):
    """OpenGraph writes locales as language_TERRITORY (pt_BR), not as BCP 47 tags (pt-BR)."""
    language, _, territory = locale.partition("-")
    return f"{language.lower()}_{territory.upper()}" if territory else language.lower()


def _language_info(code):
    """Django's facts about a language (pt-BR, else pt), or None for one it does not know."""
    for candidate in (code.lower(), code.split("-")[0].lower()):
        try:
            return get_language_info(candidate)
        except KeyError:
            continue
    return None


@register.filter
def native_language_name(code):
    """A language's name in that language ('Français' for fr, 'Português Brasileiro' for pt-BR),
    as a switcher shows it; the code itself for a language Django does not know."""
    info = _language_info(code)
    return info["name_local"] if info else code


@register.filter
def text_direction(code):
    """'rtl' for a language written right to left (Arabic, Hebrew, Persian, Urdu...), else 'ltr'."""
    info = _language_info(code)
    return "rtl" if info and info["bidi"] else "ltr"


@register.filter
def reading_time(minutes):
    """'4 min read' in the active language; nothing for an empty article."""
    if not minutes:
        return ""
    return ngettext("%(minutes)d min read", "%(minutes)d min read", minutes) % {"minutes": minutes}


@register.filter
def iso_datetime(value):
    """2023-12-29T00:00:00+00:00: ISO 8601 to the second. HTML's datetime attribute refuses the
    microseconds that Django's |date:"c" writes."""
    if not value:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()
