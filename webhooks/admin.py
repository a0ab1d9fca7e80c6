"""Webhooks in the admin: who may see and change them is Django's model permissions (the Editors
group has none of them). The delivery log is read-only (the view permission shows it), with a
"send again" action for users with the change permission on deliveries."""

from django import forms
from django.contrib import admin, messages
from django.db import models

from .models import EVENT_CHOICES, Attempt, Delivery, Webhook, new_secret
from .tasks import send_again


class WebhookForm(forms.ModelForm):
    """The model's JSON list of events, as checkboxes."""

    events = forms.MultipleChoiceField(
        choices=EVENT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=Webhook._meta.get_field("events").help_text,
    )


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    form = WebhookForm
    # An address typed without a scheme is https (Django 6's default; 5.2 still assumes http).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = ("name", "url", "events", "active", "secret", "created", "updated")
    list_display = ("name", "url", "event_list", "active", "updated")
    list_filter = ("active",)
    search_fields = ("name", "url")
    readonly_fields = ("secret", "created", "updated")
    actions = ["rotate_secret"]

    @admin.display(description="events")
    def event_list(self, webhook):
        return ", ".join(webhook.events)

    @admin.action(description="Rotate the secret of the selected webhooks", permissions=["change"])
    def rotate_secret(self, request, queryset):
        for webhook in queryset:
            webhook.secret = new_secret()
            webhook.save(update_fields=["secret", "updated"])
        self.message_user(
            request,
            f"New secrets for {len(queryset)} webhook(s): give each receiver its new one.",
            messages.SUCCESS,
        )


class AttemptInline(admin.TabularInline):
    model = Attempt
    fields = ("at", "status_code", "error", "duration_ms")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("created", "kind", "webhook", "status", "attempts", "next_attempt_at")
    list_filter = ("status", "kind", "webhook")
    list_select_related = ("webhook",)
    search_fields = ("event_id",)
    fields = ("webhook", "kind", "event_id", "status", "attempts", "next_attempt_at", "created", "payload")
    readonly_fields = fields
    inlines = [AttemptInline]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # a log: its pages are views, without Save buttons

    def has_delete_permission(self, request, obj=None):
        return False

    def has_resend_permission(self, request):
        return request.user.has_perm("webhooks.change_delivery")

    @admin.action(description="Send the selected deliveries again now", permissions=["resend"])
    def send_again(self, request, queryset):
        for delivery in queryset:
            send_again(delivery)
        self.message_user(request, f"{len(queryset)} delivery(ies) will be sent again now.", messages.SUCCESS)
