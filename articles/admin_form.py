"""The admin's change form for an article: what an editor's Save writes, and nothing more.

The body is kept as written (whitespace, line endings); a field the editor did not change keeps its
stored value; a form older than the article is refused (admin_conflicts); slugs follow the
importer's rules (slugs.py).
"""

import re

from django import forms
from django.utils import timezone
from django.utils.html import escape
from markdownx.fields import MarkdownxFormField

from .admin_conflicts import VERSION_FIELD, current_version, refuse_stale_save
from .images import ImageError
from .images.uploads import cleaned_upload
from .models import Article
from .slugs import first_free_slug, reserved_slug_reason


def line_ending(text):
    """The line break a text is written with: CRLF when it has any (a file from Windows), else LF."""
    return "\r\n" if "\r\n" in text else "\n"


class BodyFormField(MarkdownxFormField):
    """The body exactly as the editor left it: whitespace at either end kept (indented code, the
    blank line a file starts with), line breaks as the article has them. Browsers send every line
    break of a textarea as CRLF; taken as sent, an untouched body would count as changed."""

    def __init__(self, *args, newline="\n", **kwargs):
        super().__init__(*args, **{**kwargs, "strip": False})
        self.newline = newline

    def to_python(self, value):
        value = super().to_python(value)
        return re.sub(r"\r\n|\r|\n", self.newline, value)


class ArticleForm(forms.ModelForm):
    # The version of the article this form shows (admin_conflicts): a save from an older one is refused.
    loaded_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        field_classes = {"body": BodyFormField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("published", "expires", "created"):
            if name in self.fields:  # the date and time pickers: in which zone their times are
                zone = timezone.get_current_timezone_name()
                self.fields[
                    name
                ].help_text = f"{self.fields[name].help_text} Times are in {zone}, the site's time zone."
        for field in self.fields.values():
            # Help texts are plain text ("/blog/<slug>"); the admin writes them out as HTML.
            field.help_text = escape(field.help_text)
        if self.instance.pk:
            if "body" in self.fields:
                self.fields["body"].newline = line_ending(self.instance.body)
            self.fields[VERSION_FIELD].initial = current_version(self.instance.pk)

    def clean_slug(self):
        """What the importer refuses, refused with its reason; a slug another article has, refused
        with a free one to take instead."""
        slug = self.cleaned_data["slug"]
        if reason := reserved_slug_reason(slug):
            raise forms.ValidationError(f"{reason[0].upper()}{reason[1:]}.", code="reserved")
        others = Article.objects.exclude(pk=self.instance.pk)
        if others.filter(slug=slug).exists():
            free = first_free_slug(slug, lambda candidate: others.filter(slug=candidate).exists())
            raise forms.ValidationError(
                f"Another article has the slug {slug!r}; {free!r} is free.", code="taken"
            )
        return slug

    def clean(self):
        cleaned = super().clean()
        refuse_stale_save(self.instance, cleaned.get(VERSION_FIELD))
        return cleaned

    def _post_clean(self):
        # A field the editor did not change keeps its stored value exactly: the form shows times to
        # the second, and writing the shown value back would drop the stored microseconds.
        if self.instance.pk:
            stored = {field.name for field in self.instance._meta.concrete_fields}
            for name in (self.cleaned_data.keys() & stored) - set(self.changed_data):
                self.cleaned_data[name] = getattr(self.instance, name)
        super()._post_clean()

    def clean_image(self):
        """A newly uploaded cover gets the body images' checks and cleaning: no SVG or other
        formats, size and pixel limits, no EXIF (GPS), a random file name."""
        image = self.cleaned_data.get("image")
        if not image or image is self.initial.get("image") or not hasattr(image, "content_type"):
            return image  # unchanged or cleared
        try:
            return cleaned_upload(image)
        except ImageError as refusal:
            raise forms.ValidationError(refusal.sentence) from refusal
