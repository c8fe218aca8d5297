"""Notification pages: inbox and receipts, delivery status, channels, broadcasts."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.core.errors import AccessDenied, DomainError
from yingji.core.flash import flash_outcome
from yingji.core.paging import number_page
from yingji.notify import services
from yingji.notify.filters import InboxFilter
from yingji.notify.forms import CHANNEL_FIELDS, SECRET_FIELDS, BroadcastForm, ChannelForm
from yingji.notify.models import Delivery
from yingji.notify.queries import (
    can_remind,
    can_see_deliveries,
    deliveries_for,
    get_channel_for,
    get_message_for,
    inbox_of,
    visible_channels,
    visible_messages,
    with_counts,
)
from yingji.notify.rendering import notice_for
from yingji.org.queries import require_org_manager

PAGE_SIZE = 50


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    found = InboxFilter(request.GET or None, queryset=inbox_of(request.user))
    page = number_page(found.qs.order_by("-pk"), request, size=PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "notify/inbox.html",
        {"page": page, "filters": found.form, "query": query.urlencode()},
    )


def receipt(request: HttpRequest, token: str) -> HttpResponse:
    """The link in a notice: no log-in needed, the token is the proof (e-mail on a phone)."""
    delivery = get_object_or_404(
        Delivery.objects.select_related("message"), receipt_token=token, person__isnull=False
    )
    if request.method == "POST":
        services.delivery_confirm(token=token)
        delivery.refresh_from_db()
    notice = notice_for(delivery.message, get_language())
    return render(
        request,
        "notify/receipt.html",
        {"delivery": delivery, "message": delivery.message, "notice": notice},
    )


@login_required
def message_list(request: HttpRequest) -> HttpResponse:
    require_org_manager(request.user)
    page = number_page(
        with_counts(visible_messages(request.user)).order_by("-pk"), request, size=PAGE_SIZE
    )
    return render(request, "notify/message_list.html", {"page": page})


@login_required
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_message_for(request.user, pk)
    counted: Any = with_counts(type(message).objects.filter(pk=message.pk)).get()  # annotated
    page = number_page(deliveries_for(request.user, message), request, size=PAGE_SIZE)
    template = (
        "notify/_counts.html"  # the live counts, fetched again every few seconds (yingji.js)
        if request.headers.get("X-Requested-With") == "fetch"
        else "notify/message_detail.html"
    )
    context = {
        "message": counted,
        "notice": notice_for(message, get_language()),
        "page": page,
        "can_see_all": can_see_deliveries(request.user, message),
        "can_remind": can_remind(request.user, message) and counted.confirmed < counted.recipients,
    }
    return render(request, template, context)


@login_required
def channel_list(request: HttpRequest) -> HttpResponse:
    require_org_manager(request.user)
    channels = visible_channels(request.user)
    return render(request, "notify/channel_list.html", {"channels": channels})


@login_required
def channel_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require_org_manager(request.user)
    channel = get_channel_for(request.user, pk, write=True) if pk else None
    initial: dict[str, Any] = {}
    if channel:
        initial = {name: getattr(channel, name) for name in CHANNEL_FIELDS} | channel.config
        for secret in SECRET_FIELDS:  # never sent back to the browser
            initial.pop(secret, None)
    form = ChannelForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            fields = {name: data[name] for name in CHANNEL_FIELDS}
            fields["position"] = 10 if data["position"] is None else data["position"]
            saved = services.channel_save(
                actor=request.user,
                channel=channel,
                config=form.config(channel.config if channel else {}),
                **fields,
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("Saved: %(name)s") % {"name": saved.name})
            return redirect("notify:channel_list")
    title = _("Edit channel") if channel else _("New channel")
    return render(
        request, "notify/channel_form.html", {"form": form, "title": title, "channel": channel}
    )


@login_required
@require_POST
def channel_test(request: HttpRequest, pk: int) -> HttpResponse:
    require_org_manager(request.user)
    channel = get_channel_for(request.user, pk, write=True)
    message = flash_outcome(
        request,
        lambda: services.channel_test(actor=request.user, channel=channel),
        _("Test notice queued; its delivery shows below."),
    )
    if message is None:
        return redirect("notify:channel_list")
    return redirect("notify:message_detail", pk=message.pk)


@login_required
def broadcast(request: HttpRequest) -> HttpResponse:
    require_org_manager(request.user)
    form = BroadcastForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            message = services.broadcast_send(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Broadcast queued to every employee."))
            return redirect("notify:message_detail", pk=message.pk)
    loads = services.broadcast_estimate()
    context = {"form": form, "loads": loads, "minutes": max((x.minutes for x in loads), default=0)}
    return render(request, "notify/broadcast.html", context)


@login_required
@require_POST
def message_remind(request: HttpRequest, pk: int) -> HttpResponse:
    """Remind everyone who has not confirmed the notice (R-ACT-2)."""
    message = get_message_for(request.user, pk)
    try:
        people, sent = services.receipts_remind(actor=request.user, message=message)
    except AccessDenied:
        raise
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        done = _("Reminded %(people)d people; %(sent)d messages queued.")
        messages.success(request, done % {"people": people, "sent": sent})
    return redirect("notify:message_detail", pk=message.pk)
