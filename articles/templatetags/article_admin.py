"""The article change list's date drill-down (articles/admin_changelist.py), in place of Django's."""

from django import template

from articles.admin_changelist import date_hierarchy

register = template.Library()


@register.inclusion_tag("admin/date_hierarchy.html")
def article_date_hierarchy(cl):
    return date_hierarchy(cl)
