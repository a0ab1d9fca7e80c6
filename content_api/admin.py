"""Content API keys in the admin: Django's model permissions decide who may see, make and revoke
them (the Editors group has none). A new key is shown once, on the page that follows its creation,
rendered straight into that response (not put in a message, which would travel in a cookie)."""

from django.contrib import admin, messages
from django.template.response import TemplateResponse

from .models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "created", "last_used", "revoked", "revoked_at")
    list_filter = ("revoked",)
    search_fields = ("name", "prefix")
    readonly_fields = ("prefix", "created", "last_used", "revoked", "revoked_at")
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        return ("name",) if obj is None else ("name", *self.readonly_fields)

    def save_model(self, request, obj, form, change):
        if not change:
            request.new_api_key = obj.set_new_key()
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        # Not kept by any cache: the admin's views are never_cache (AdminSite.admin_view).
        return TemplateResponse(
            request,
            "admin/content_api/apikey/created.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": "Content API key created",
                "api_key": obj,
                "secret": request.new_api_key,
            },
        )

    @admin.action(description="Revoke the selected keys", permissions=["change"])
    def revoke(self, request, queryset):
        # One by one, so each key's cached record is dropped (content_api/access.py).
        keys = list(queryset.filter(revoked=False))
        for key in keys:
            key.revoke()
        self.message_user(
            request, f"Revoked {len(keys)} key(s): they are refused from now on.", messages.SUCCESS
        )
