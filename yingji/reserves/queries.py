"""Who sees and keeps the reserves (R-RES-1): everyone inside sees what is in store and
whether it is ready; a store's custodian and backup, the office and administrators keep it."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from yingji.audit.queries import register_hidden_events
from yingji.core.access import one_of, require
from yingji.core.actors import is_system
from yingji.org.roles import roles_of
from yingji.reserves.choices import ItemStatus
from yingji.reserves.models import Item, Location, ReserveClass, Store


def sees_reserves(user: Any) -> bool:
    return is_system(user) or roles_of(user).internal


def manages_all(user: Any) -> bool:
    """The office and administrators set up classes and stores and keep every store."""
    roles = roles_of(user)
    return is_system(user) or roles.admin or (roles.active_person and roles.office)


def keeps(user: Any, store: Store) -> bool:
    """A store's custodian or backup custodian, the office and administrators."""
    if manages_all(user):
        return True
    roles = roles_of(user)
    return roles.active_person and roles.person.pk in (store.custodian_id, store.backup_id)


def visible_classes(user: Any) -> QuerySet[ReserveClass]:
    return ReserveClass.objects.all() if sees_reserves(user) else ReserveClass.objects.none()


def visible_stores(user: Any) -> QuerySet[Store]:
    rows = Store.objects.select_related("custodian", "backup", "owner")
    return rows if sees_reserves(user) else rows.none()


def visible_locations(user: Any) -> QuerySet[Location]:
    rows = Location.objects.select_related("store", "parent")
    return rows if sees_reserves(user) else rows.none()


def visible_items(user: Any) -> QuerySet[Item]:
    rows = Item.objects.select_related("reserve_class", "location__store", "custodian")
    return rows if sees_reserves(user) else rows.none()


def get_store_for(user: Any, pk: Any, *, write: bool = False) -> Store:
    store = one_of(visible_stores(user), pk)
    if write:
        require(keeps(user, store), _("Only the store's custodians or the office may do this."))
    return store


def get_item_for(user: Any, pk: Any, *, write: bool = False) -> Item:
    item = one_of(visible_items(user), pk)
    if write:
        require(
            keeps(user, item.location.store),
            _("Only the store's custodians or the office may do this."),
        )
    return item


def ready_items(today: date) -> QuerySet[Item]:
    """Ready: available, in stock, inspected on time and not expired (R-RES-1)."""
    return Item.objects.filter(status=ItemStatus.AVAILABLE, on_hand__gt=0).filter(
        Q(inspection_due__isnull=True) | Q(inspection_due__gte=today),
        Q(expires__isnull=True) | Q(expires__gte=today),
    )


def is_ready(item: Item, today: date) -> bool:
    """The rule of `ready_items` for one item already in hand (no query)."""
    return (
        item.status == ItemStatus.AVAILABLE
        and item.on_hand > 0
        and (item.inspection_due is None or item.inspection_due >= today)
        and (item.expires is None or item.expires >= today)
    )


def readiness(today: date, store: Store | None = None) -> list[dict[str, Any]]:
    """Per class: how many are ready, how many in stock, the minimum, and whether it is met."""
    ready = ready_items(today)
    stock = Item.objects.exclude(status=ItemStatus.SCRAPPED)
    if store is not None:
        ready = ready.filter(location__store=store)
        stock = stock.filter(location__store=store)
    ready_by = dict(ready.values_list("reserve_class").annotate(n=Sum("on_hand")))
    stock_by = dict(stock.values_list("reserve_class").annotate(n=Sum("on_hand")))
    rows = []
    for reserve_class in ReserveClass.objects.filter(active=True).order_by("code"):
        ready_n = ready_by.get(reserve_class.pk) or 0
        rows.append(
            {
                "reserve_class": reserve_class,
                "ready": ready_n,
                "stock": stock_by.get(reserve_class.pk) or 0,
                "minimum": reserve_class.min_ready,
                "met": ready_n >= reserve_class.min_ready,
            }
        )
    return rows


@register_hidden_events
def hidden_reserve_events(user: Any) -> Q:
    """The ledger lines and dispatches of incidents this reader may not see (confidential
    ones) stay out of the audit trail, as the incidents' own events do."""
    from django.db.models import CharField
    from django.db.models.functions import Cast

    from yingji.incidents.models import Incident
    from yingji.incidents.queries import visible_incidents
    from yingji.reserves.models import Dispatch, Ledger

    hidden = Incident.objects.exclude(pk__in=visible_incidents(user).values("pk"))
    lines = Ledger.objects.filter(incident__in=hidden).annotate(key=Cast("pk", CharField()))
    drawn = Dispatch.objects.filter(incident__in=hidden).annotate(key=Cast("pk", CharField()))
    return Q(object_type="reserves.ledger", object_id__in=lines.values("key")) | Q(
        object_type="reserves.dispatch", object_id__in=drawn.values("key")
    )
