"""The front door shows what the apps registered (core.extensions), and nothing for a user
it has nothing for; an app hangs a panel on the incident page without incidents importing it."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.test import override_settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.core import extensions
from yingji.core.extensions import NavSection, register_home_card, register_nav, register_panel
from yingji.incidents.services import incident_report
from yingji.org.testing import CastTestCase


def _with_test_card() -> list[dict]:
    """The project's template settings plus one in-memory card template."""
    engine: dict[str, Any] = copy.deepcopy(settings.TEMPLATES[0])
    engine["APP_DIRS"] = False
    engine["OPTIONS"]["loaders"] = [
        ("django.template.loaders.locmem.Loader", {"test/_card.html": CARD}),
        "django.template.loaders.filesystem.Loader",
        "django.template.loaders.app_directories.Loader",
    ]
    return [engine]


CARD = '<section id="test-card">{{ greeting }}</section>'
TEST_TEMPLATES = _with_test_card()


@contextmanager
def registered(table: dict, key: str) -> Iterator[None]:
    """Leave the registry as it was, whatever the test registered."""
    saved = copy.deepcopy(table)
    try:
        yield
    finally:
        table.clear()
        table.update(saved)


class TheHomePage(CastTestCase):
    def test_cards_appear_in_their_order_and_only_when_they_have_something(self):
        self.login("staff")
        page = self.client.get("/").content.decode()
        where_to_report = page.index("If you notice an emergency")  # org's card, order 10
        groups = page.index("Your emergency groups")  # org's card, order 60
        self.assertLess(where_to_report, groups)
        self.assertNotIn("Needs attention in the emergency organisation", page)  # office only
        self.assertNotIn('id="my-tasks"', page)  # incidents' card: staff has no task
        self.login("office")
        self.assertContains(self.client.get("/"), "Needs attention in the emergency organisation")

    @override_settings(TEMPLATES=TEST_TEMPLATES)
    def test_a_card_registered_by_an_app_is_shown_with_its_own_context(self):
        with registered(extensions.HOME_CARDS, "test.card"):
            register_home_card(
                "test.card",
                template="test/_card.html",
                context=lambda request: (
                    {"greeting": f"hello {request.user.username}"}
                    if request.user.username == "head"
                    else None
                ),
                order=1,
            )
            self.login("head")
            self.assertContains(
                self.client.get("/"), '<section id="test-card">hello head</section>'
            )
            self.login("staff")
            self.assertNotContains(self.client.get("/"), "test-card")
        self.login("head")
        self.assertNotContains(self.client.get("/"), "test-card")


class TheNavigation(CastTestCase):
    def test_sections_follow_their_order_and_who_may_see_them(self):
        self.login("staff")
        page = self.client.get("/").content.decode()
        order = [page.index(f'href="{url}"') for url in ("/", "/incidents/", "/plans/", "/org/")]
        self.assertEqual(order, sorted(order))
        self.assertNotIn('href="/audit/"', page)  # the audit trail: office and admins only
        self.login("office")
        self.assertContains(self.client.get("/"), 'href="/audit/"')

    def test_operator_links_are_for_operators_only(self):
        self.login("staff")
        page = self.client.get("/")
        self.assertNotContains(page, 'href="/api/v1/docs/"')
        self.assertNotContains(page, 'href="/healthz"')
        self.login("office")
        page = self.client.get("/")
        self.assertContains(page, 'href="/api/v1/docs/"')
        self.assertContains(page, 'href="/healthz"')
        self.login("expert")  # experts connect monitoring tools
        self.assertContains(self.client.get("/"), 'href="/api/v1/docs/"')

    def test_the_current_section_is_marked(self):
        self.login("office")
        page = self.client.get("/intake/alerts/").content.decode()
        self.assertIn('href="/monitoring/" aria-current="page"', page)  # one place
        self.assertNotIn('href="/incidents/" aria-current', page)

    def test_a_registered_section_appears(self):
        with registered(extensions.NAV, "test"):
            register_nav(
                NavSection(
                    key="test",
                    label=_("Drills"),
                    url_name="home",
                    order=35,
                    visible=lambda roles: roles.leadership,
                )
            )
            self.login("leader")
            self.assertContains(self.client.get("/plans/"), ">Drills</a>")
            self.login("staff")
            self.assertNotContains(self.client.get("/plans/"), ">Drills</a>")


class TheIncidentPagePanels(CastTestCase):
    @override_settings(TEMPLATES=TEST_TEMPLATES)
    def test_a_panel_registered_for_incidents_shows_on_the_command_page(self):
        incident = incident_report(
            actor=self.staff,
            title="机房空调停机",
            category="facility",
            occurred_at=timezone.now() - timedelta(minutes=5),
            symptoms="温度上升",
        )
        with registered(extensions.PANELS, "incident"):
            register_panel(
                "incident",
                "test.panel",
                template="test/_card.html",
                context=lambda request, obj: {"greeting": f"spares for #{obj.pk}"},
            )
            self.login("staff")
            page = self.client.get(f"/incidents/{incident.pk}/")
            self.assertContains(page, f"spares for #{incident.pk}")
        self.assertNotContains(self.client.get(f"/incidents/{incident.pk}/"), "spares for")
