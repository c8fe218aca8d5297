"""Health check, security headers, languages and the home page."""

from pathlib import Path

import polib
from django.conf import settings
from django.test import Client
from django.urls import reverse

from yingji.org.testing import CastTestCase


class HealthAndHeaders(CastTestCase):
    def test_healthz_reports_the_database(self):
        response = Client().get("/healthz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["database"], "ok")

    def test_pages_carry_a_strict_content_security_policy(self):
        self.login("staff")
        response = self.client.get("/")
        csp = response["Content-Security-Policy"]
        self.assertIn("script-src 'self'", csp)
        self.assertIn("frame-ancestors 'none'", csp)
        self.assertEqual(response["X-Frame-Options"], "DENY")
        self.assertNotIn("<script>", response.content.decode())  # no inline script anywhere

    def test_every_asset_is_served_by_the_app(self):
        self.login("staff")
        html = self.client.get("/").content.decode()
        for needle in ("https://", "http://cdn", "//unpkg", "//cdn"):
            self.assertNotIn(needle, html)
        self.assertEqual(Client().get("/static/django_htmx/htmx-2.min.js").status_code, 200)

    def test_forms_are_protected_against_csrf(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.office)
        response = client.post(reverse("org:department_new"), {"code": "X", "name": "X"})
        self.assertEqual(response.status_code, 403)

    def test_every_response_has_a_request_id(self):
        self.assertRegex(Client().get("/healthz")["X-Request-ID"], r"^[0-9a-f]{32}$")
        bad = Client().get("/healthz", headers={"X-Request-ID": "<script>"})
        self.assertNotEqual(bad["X-Request-ID"], "<script>")


class Languages(CastTestCase):
    def test_the_browser_language_decides(self):
        self.login("staff")
        cases = {"zh-CN": "首页", "zh-TW": "首頁", "zh-HK": "首頁", "en-US": "Home"}
        for accept, word in cases.items():
            with self.subTest(accept=accept):
                self.client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
                response = self.client.get("/", headers={"Accept-Language": accept})
                self.assertContains(response, f">{word}<")

    def test_the_switcher_overrides_the_browser(self):
        self.login("staff")
        self.client.post(reverse("set_language"), {"language": "zh-hant", "next": "/"})
        response = self.client.get("/", headers={"Accept-Language": "en"})
        self.assertContains(response, ">首頁<")
        self.assertContains(response, 'lang="zh-hant"')

    def test_validation_messages_are_translated(self):
        self.login("office")
        self.client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
        response = self.client.post(
            reverse("org:department_edit", args=[self.cs.pk]),
            {
                "code": "CS",
                "name": "客户服务部",
                "kind": "business",
                "sort_order": "0",
                "active": "on",
                "parent": self.call.pk,
            },
        )
        self.assertContains(response, "部门不能隶属于自身或其下级部门。")


def test_every_string_is_translated_in_both_chinese_catalogues():
    locale = Path(settings.LOCALE_PATHS[0])
    for language in ("zh_Hans", "zh_Hant"):
        catalogue = polib.pofile(str(locale / language / "LC_MESSAGES" / "django.po"))
        missing = [e.msgid for e in catalogue if not e.translated() or "fuzzy" in e.flags]
        assert missing == [], f"{language} lacks translations for {missing}"


def test_the_compiled_catalogues_match_their_sources():
    locale = Path(settings.LOCALE_PATHS[0])
    for po_path in locale.glob("*/LC_MESSAGES/django.po"):
        compiled = polib.mofile(str(po_path.with_suffix(".mo")))
        source = polib.pofile(str(po_path))
        expected = {
            (e.msgctxt, e.msgid): e.msgstr for e in source if e.translated() and not e.msgid_plural
        }
        actual = {
            (e.msgctxt, e.msgid): e.msgstr for e in compiled if e.msgid and not e.msgid_plural
        }
        assert actual == expected, f"{po_path.parent.parent.name}: run `make messages`"


class HomePage(CastTestCase):
    def test_staff_see_whom_to_report_to(self):
        self.login("executor")
        response = self.client.get("/", headers={"Accept-Language": "en"})
        self.assertContains(response, "If you notice an emergency")
        self.assertContains(response, "exec_group")

    def test_the_office_sees_gaps_in_the_organisation(self):
        self.login("office")
        response = self.client.get("/", headers={"Accept-Language": "en"})
        self.assertContains(response, "Needs attention in the emergency organisation")
        self.assertContains(response, "No execution group is formed for: Network-security incident")
        self.assertContains(response, "信息技术部</a>: no head appointed")

    def test_staff_do_not_see_the_gaps(self):
        self.login("staff")
        self.assertNotContains(self.client.get("/"), "attention")
