"""Formatting filters for the reader's templates. None of them queries the database."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# The characters that could end a <script> element or open a comment inside it, as JSON escapes
# (the same table as django.utils.html.json_script): a title with "</script>" stays data.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def ld_json(data):
    """<script type="application/ld+json"> for `data`; json_script cannot set that type."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@register.filter
def reading_time(minutes):
    """'4 min read'; nothing for an empty article."""
    return f"{minutes} min read" if minutes else ""


@register.filter
def iso_datetime(value):
    """2023-12-29T00:00:00+00:00: ISO 8601 to the second. HTML's datetime attribute refuses the
    microseconds that Django's |date:"c" writes."""
    if not value:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()
