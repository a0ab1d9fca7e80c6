"""Webhooks and their delivery log in the admin: for users with the permissions only; the secret is
shown and rotatable; the log is read-only, with attempts and a "send again" action."""

import pytest
from django.contrib.auth.models import Permission

from publishing.changes import EventKind
from webhooks.models import Delivery, Webhook
from webhooks.receivers import notify

WEBHOOKS = "/admin/webhooks/webhook/"
DELIVERIES = "/admin/webhooks/delivery/"


@pytest.mark.parametrize("url", [WEBHOOKS, f"{WEBHOOKS}add/", DELIVERIES])
def test_an_editor_without_the_permission_cannot_see_webhooks(client, editor, url):
    client.force_login(editor)
    assert client.get(url).status_code == 403
    assert f'href="{WEBHOOKS}"' not in client.get("/admin/").content.decode()


def test_a_user_given_the_permissions_manages_webhooks(client, editor):
    editor.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="webhooks", codename__endswith="_webhook")
    )
    client.force_login(editor)
    assert client.get(WEBHOOKS).status_code == 200
    assert client.get(DELIVERIES).status_code == 403
    assert f'href="{WEBHOOKS}"' in client.get("/admin/").content.decode()


def _form(**changes):
    data = {
        "name": "Mirror",
        "url": "http://127.0.0.1:9000/hook",
        "events": [EventKind.PUBLISHED],
        "active": "on",
    }
    data.update(changes)
    return data


def test_adding_a_webhook_stores_its_events_and_shows_its_secret(client, superuser):
    client.force_login(superuser)
    response = client.post(f"{WEBHOOKS}add/", _form(events=[EventKind.PUBLISHED, EventKind.SITE_CHANGED]))
    assert response.status_code == 302, response.context["adminform"].form.errors
    webhook = Webhook.objects.get()
    assert webhook.events == [EventKind.PUBLISHED, EventKind.SITE_CHANGED]
    assert len(webhook.secret) >= 40
    page = client.get(f"{WEBHOOKS}{webhook.pk}/change/").content.decode()
    assert webhook.secret in page
    assert 'name="secret"' not in page  # shown, not editable


def test_a_private_target_is_refused_with_a_clear_message(client, superuser, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    client.force_login(superuser)
    response = client.post(f"{WEBHOOKS}add/", _form())
    assert response.status_code == 200 and not Webhook.objects.exists()
    assert response.context["adminform"].form.errors["url"] == [
        "This address is refused: its host '127.0.0.1' is a private, loopback or link-local address (127.0.0.1)."
    ]


def test_rotating_gives_a_new_secret(client, superuser, make_webhook):
    webhook = make_webhook("http://127.0.0.1:9000/hook")
    old = webhook.secret
    client.force_login(superuser)
    client.post(WEBHOOKS, {"action": "rotate_secret", "_selected_action": [webhook.pk]})
    webhook.refresh_from_db()
    assert webhook.secret != old and len(webhook.secret) == len(old)


@pytest.fixture
def given_up(receiver, make_webhook, make_change, run_tasks, settings):
    """A delivery given up after two attempts answered 500."""
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    receiver.answers = [500, 500]
    make_webhook(receiver.url)
    notify(make_change())
    run_tasks(due_only=False)
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.GIVEN_UP
    return delivery


def test_the_log_shows_each_attempt_and_cannot_be_edited(client, superuser, given_up):
    client.force_login(superuser)
    page = client.get(f"{DELIVERIES}{given_up.pk}/change/").content.decode()
    assert page.count("answered 500") == 2
    assert 'name="status"' not in page and 'name="payload"' not in page
    assert client.get(f"{DELIVERIES}add/").status_code == 403
    assert client.get(f"{DELIVERIES}{given_up.pk}/delete/").status_code == 403


@pytest.mark.parametrize(
    "query", ["status__exact=given_up", "kind__exact=article.published", "webhook__id__exact={webhook}"]
)
def test_the_log_filters_by_status_event_and_webhook(client, superuser, given_up, make_webhook, query):
    other = make_webhook("http://127.0.0.1:9000/other")
    Delivery.objects.create(
        webhook=other, event_id="other", kind=EventKind.DELETED, payload={}, status=Delivery.Status.DELIVERED
    )
    client.force_login(superuser)
    response = client.get(f"{DELIVERIES}?{query.format(webhook=given_up.webhook_id)}")
    assert response.status_code == 200
    assert [spec.title for spec in response.context["cl"].filter_specs] == ["status", "event", "webhook"]
    assert list(response.context["cl"].result_list) == [given_up]


def test_send_again_makes_a_new_attempt_now_after_giving_up(client, superuser, given_up, receiver, run_tasks):
    client.force_login(superuser)
    client.post(DELIVERIES, {"action": "send_again", "_selected_action": [given_up.pk]})
    assert run_tasks() == 1
    given_up.refresh_from_db()
    assert given_up.status == Delivery.Status.DELIVERED and given_up.attempts == 3
    assert [a.status_code for a in given_up.attempt_log.all()] == [500, 500, 200]
    assert len(receiver.requests) == 3


def test_send_again_needs_the_change_permission_on_deliveries(client, editor, given_up):
    viewing = Permission.objects.filter(content_type__app_label="webhooks", codename="view_delivery")
    editor.user_permissions.add(*viewing)
    client.force_login(editor)
    assert client.get(f"{DELIVERIES}{given_up.pk}/change/").status_code == 200
    assert "send_again" not in client.get(DELIVERIES).content.decode()
    editor.user_permissions.add(
        Permission.objects.get(content_type__app_label="webhooks", codename="change_delivery")
    )
    assert "send_again" in client.get(DELIVERIES).content.decode()
