"""The organisation pages, through the Django test client."""

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yingji.core.actors import SYSTEM
from yingji.org import services
from yingji.org.models import Person
from yingji.org.testing import ROLE_USERS, CastTestCase


class PagesAnswerEachRoleCorrectly(CastTestCase):
    def test_read_pages_per_role(self):
        pages = {
            "org:chart": {},
            "org:department_list": {},
            "org:person_list": {},
            "org:group_list": {},
            "org:vendor_list": {},
            "org:person_detail": {"pk": "leader_person"},
            "org:department_detail": {"pk": "cs"},
            "org:group_detail": {"pk": "lead"},
            "org:vendor_detail": {"pk": "vendor_co"},
        }
        hidden_from_vendor = {"org:person_detail", "org:department_detail", "org:group_detail"}
        for who in ROLE_USERS:
            self.login(who)
            for name, kwargs in pages.items():
                url = reverse(name, kwargs={k: self.cast[v].pk for k, v in kwargs.items()})
                response = self.client.get(url)
                expected = 200
                if who in ("vendor", "outsider") and name in hidden_from_vendor:
                    expected = 404
                if who == "outsider" and name == "org:vendor_detail":
                    expected = 404
                with self.subTest(who=who, page=name):
                    self.assertEqual(response.status_code, expected)

    def test_management_pages_are_forbidden_to_everyone_but_managers(self):
        for who in ROLE_USERS:
            self.login(who)
            for name in (
                "org:department_new",
                "org:person_new",
                "org:group_new",
                "org:vendor_new",
                "org:import",
                "org:export",
            ):
                status = self.client.get(reverse(name)).status_code
                with self.subTest(who=who, page=name):
                    self.assertEqual(status, 200 if who in ("admin", "office") else 403)

    def test_anonymous_visitors_are_sent_to_log_in(self):
        response = self.client.get(reverse("org:person_list"))
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("accounts:login"), response["Location"])


class EditingThroughThePages(CastTestCase):
    def test_the_office_creates_a_department(self):
        self.login("office")
        response = self.client.post(
            reverse("org:department_new"),
            {
                "code": "OPS",
                "name": "运营部",
                "kind": "business",
                "sort_order": "3",
                "active": "on",
                "parent": self.cs.pk,
            },
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(self.cs.children.filter(code="OPS").exists())

    def test_an_invalid_form_shows_the_error_next_to_the_field_and_saves_nothing(self):
        self.login("office")
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
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "cannot sit below itself")
        self.assertIsNone(self.refreshed(self.cs).parent)

    def test_a_person_edits_their_own_mobile_but_sees_no_department_field(self):
        self.login("executor")
        url = reverse("org:person_edit", args=[self.executor_person.pk])
        page = self.client.get(url)
        self.assertNotContains(page, 'name="department"')
        response = self.client.post(
            url, {"mobile": "13911112222", "email": "zm@example.com", "title": "班长"}
        )
        self.assertEqual(response.status_code, 302)
        person = self.refreshed(self.executor_person)
        self.assertEqual((person.mobile, person.title), ("13911112222", "班长"))
        self.assertEqual(person.user.email, "zm@example.com")

    def test_the_office_adds_and_removes_a_group_member(self):
        self.login("office")
        url = reverse("org:group_detail", args=[self.expert_group.pk])
        response = self.client.post(
            url, {"person": self.sales_person.pk, "role": "member", "specialty": "business"}
        )
        self.assertEqual(response.status_code, 302)
        membership = self.expert_group.memberships.get(person=self.sales_person)
        self.client.post(reverse("org:membership_remove", args=[membership.pk]))
        self.assertFalse(self.expert_group.memberships.filter(person=self.sales_person).exists())

    def test_marking_a_head_as_left_shows_why_it_cannot_be_done(self):
        self.login("office")
        response = self.client.post(
            reverse("org:person_status", args=[self.head_person.pk]),
            {"status": "left"},
            follow=True,
        )
        self.assertContains(response, "appoint someone else first")
        self.assertEqual(self.refreshed(self.head_person).status, "active")

    def test_staff_cannot_post_to_a_management_action(self):
        self.login("staff")
        response = self.client.post(
            reverse("org:person_status", args=[self.sales_person.pk]), {"status": "left"}
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.refreshed(self.sales_person).status, "active")

    def test_nonsense_in_urls_and_queries_never_causes_a_server_error(self):
        self.login("office")
        for url in (
            "/org/people/?page=abc",
            "/org/people/?department=zzz&status=bogus",
            "/org/people/999999/",
            "/org/export/?format=csv&kind=nothing",
            "/audit/?before=-5&since=notadate",
        ):
            with self.subTest(url=url):
                self.assertLess(self.client.get(url).status_code, 500)


class PeopleListScalesWithThePageNotTheTable(CastTestCase):
    def test_the_query_count_does_not_grow_with_the_number_of_people(self):
        self.login("office")
        url = reverse("org:person_list")
        with CaptureQueriesContext(connection) as few:
            self.client.get(url)
        for n in range(60):
            services.person_create(
                actor=SYSTEM, employee_no=f"B{n:03d}", full_name=f"批量{n}", department=self.cs
            )
        with CaptureQueriesContext(connection) as many:
            response = self.client.get(url)
        self.assertEqual(len(many), len(few))
        self.assertEqual(len(response.context["page"].object_list), 50)

    def test_htmx_search_answers_with_rows_only(self):
        self.login("staff")
        response = self.client.get(
            reverse("org:person_list"), {"q": "周强"}, headers={"HX-Request": "true"}
        )
        self.assertNotContains(response, "<html")
        self.assertContains(response, "周强")
        self.assertNotContains(response, "王建国")

    def test_search_filters_by_name_number_and_department(self):
        self.login("staff")
        response = self.client.get(reverse("org:person_list"), {"department": self.cs.pk})
        names = {p.full_name for p in response.context["page"].object_list}
        self.assertEqual(
            names,
            set(Person.objects.filter(department=self.cs).values_list("full_name", flat=True)),
        )


class ListPagesCostTheSameWithMoreData(CastTestCase):
    PAGES = (
        "/org/",
        "/org/departments/",
        "/org/groups/",
        "/org/vendors/",
        "/audit/",
        "/org/groups/{exec}/",
        "/org/departments/{cs}/",
        "/",
    )

    def query_counts(self) -> dict[str, int]:
        counts = {}
        for page in self.PAGES:
            url = page.format(exec=self.exec_group.pk, cs=self.cs.pk)
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(url).status_code, 200)
            counts[url] = len(queries)
        return counts

    def grow(self, numbers: range) -> None:
        """Per number: a sub-department with a head, a member of the execution group, a new
        group with a leader, and a vendor."""
        for i in numbers:
            dept = services.department_create(
                actor=SYSTEM, code=f"D{i}", name=f"部门{i}", parent=self.cs
            )
            person = services.person_create(
                actor=SYSTEM, employee_no=f"G{i:03d}", full_name=f"成员{i}", department=dept
            )
            services.department_update(actor=SYSTEM, department=dept, changes={"head": person})
            services.membership_add(actor=SYSTEM, group=self.exec_group, person=person)
            group = services.group_create(
                actor=SYSTEM, code=f"X{i}", name=f"小组{i}", kind="execution", scenario="facility"
            )
            services.membership_add(actor=SYSTEM, group=group, person=person, role="leader")
            services.vendor_create(actor=SYSTEM, name=f"供应商{i}")

    def test_no_page_runs_more_queries_when_the_organisation_grows(self):
        self.login("office")
        self.grow(range(2))
        before = self.query_counts()
        self.grow(range(2, 12))
        self.assertEqual(self.query_counts(), before)


class MyPage(CastTestCase):
    def test_i_change_how_to_reach_me_and_my_language_sets_the_interface(self):
        self.login("staff")
        page = self.client.get(reverse("org:me"))
        self.assertContains(page, 'href="/oncall/me/"')
        self.assertContains(page, 'href="/accounts/tokens/"')
        self.assertNotIn("full_name", page.context["form"].fields)  # only my own contact fields
        saved = self.client.post(
            reverse("org:me"),
            {"mobile": "13911112222", "email": "zhao@example.cn", "language": "zh-hant"},
        )
        self.assertRedirects(saved, reverse("org:me"))
        self.assertEqual(saved.cookies[settings.LANGUAGE_COOKIE_NAME].value, "zh-hant")
        me = Person.objects.get(pk=self.staff_person.pk)
        self.assertEqual(
            (me.mobile, me.email, me.language), ("13911112222", "zhao@example.cn", "zh-hant")
        )
        self.assertContains(self.client.get("/"), '<html lang="zh-hant">')
        bad = self.client.post(reverse("org:me"), {"mobile": "not a phone", "language": "zh-hant"})
        self.assertEqual(bad.status_code, 200)
        self.assertTrue(bad.context["form"].errors)
        self.assertEqual(Person.objects.get(pk=me.pk).mobile, "13911112222")  # nothing lost

    def test_an_administrator_without_a_person_still_finds_password_and_tokens(self):
        self.login("admin")
        page = self.client.get(reverse("org:me"))
        self.assertIsNone(page.context["form"])
        self.assertContains(page, 'href="/accounts/password/"')
