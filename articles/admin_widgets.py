"""Widgets of the article admin that Django's own leave inaccessible (issue 14, defect 9)."""

from django.contrib.admin import widgets
from django.utils.html import format_html


class LabelledSplitDateTime(widgets.AdminSplitDateTime):
    """Django's date and time boxes, each named by a <label>. Django writes "Date:" and "Time:" as
    bare text beside them and labels the pair with no `for`, so to a screen reader (and to axe's
    critical "label" rule) both boxes have no name."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for subwidget, label in zip(
            context["widget"]["subwidgets"], ("date_label", "time_label"), strict=True
        ):
            if box_id := subwidget["attrs"].get("id"):
                context[label] = format_html('<label for="{}">{}</label>', box_id, context[label])
        return context
