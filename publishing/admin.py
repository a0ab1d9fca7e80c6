"""Publish events in the admin, read only: what happened, which pages it made stale, and how far
each receiver has got (a receiver given up on shows its last error). "Dispatch again" hands
chosen events to every receiver once more."""

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count, Q

from .delivery import redeliver
from .models import Event, ReceiverState


class ReceiverStateInline(admin.TabularInline):
    model = ReceiverState
    fields = ("receiver", "status", "attempts", "next_attempt_at", "last_error", "updated_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class DeliveryFilter(admin.SimpleListFilter):
    title = "delivery"
    parameter_name = "delivery"

    def lookups(self, request, model_admin):
        return [("pending", "Pending"), ("given_up", "Given up"), ("done", "Done")]

    def queryset(self, request, queryset):
        match self.value():
            case "pending" | "given_up" as status:
                return queryset.filter(receiver_states__status=status).distinct()
            case "done":
                return queryset.exclude(receiver_states__status__in=["pending", "given_up"])
        return queryset


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "article_slug", "article_id", "delivery")
    list_filter = ("kind", DeliveryFilter)
    search_fields = ("=article_id", "payload__slug")
    date_hierarchy = "created_at"
    fields = ("id", "kind", "article_id", "occurred_at", "created_at", "keys", "paths", "payload")
    readonly_fields = fields
    inlines = [ReceiverStateInline]
    actions = ["dispatch_again"]

    def get_queryset(self, request):
        pending, given_up = (Q(receiver_states__status=status) for status in ("pending", "given_up"))
        return (
            super()
            .get_queryset(request)
            .annotate(
                pending=Count("receiver_states", filter=pending),
                given_up=Count("receiver_states", filter=given_up),
            )
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Article")
    def article_slug(self, event):
        return event.payload.get("slug", "-") if event.payload else "-"

    @admin.display(description="Delivery")
    def delivery(self, event):
        if event.given_up:
            return f"{event.given_up} given up"
        return f"{event.pending} pending" if event.pending else "done"

    def has_dispatch_permission(self, request):
        # Events are never edited by hand; the change permission is what allows sending them again.
        return request.user.has_perm("publishing.change_event")

    @admin.action(description="Dispatch again to every receiver", permissions=["dispatch"])
    def dispatch_again(self, request, queryset):
        with transaction.atomic():
            for event in queryset:
                redeliver(event)
        self.message_user(
            request, f"{queryset.count()} event(s) queued for delivery again.", messages.SUCCESS
        )
