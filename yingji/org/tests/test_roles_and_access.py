"""Who sees and may change what in the organisation, per role (STYLE.md convention 7)."""

from django.http import Http404

from yingji.core.errors import AccessDenied
from yingji.org.models import Person
from yingji.org.queries import (
    get_person_for,
    person_editable_fields,
    visible_departments,
    visible_groups,
    visible_people,
    visible_vendors,
)
from yingji.org.roles import roles_of
from yingji.org.testing import CastTestCase


class RolesAreDerivedFromTheOrganisation(CastTestCase):
    def test_each_member_of_the_cast_has_the_role_named_after_them(self):
        expected = {
            "admin": {"admin"},
            "leader": {"leadership", "staff"},
            "office": {"office", "staff"},
            "expert": {"expert", "staff"},
            "head": {"department_head", "staff"},
            "executor": {"executor", "staff"},
            "staff": {"department_head", "staff"},  # staff is the deputy of CS (AB角)
            "vendor": {"executor", "vendor"},
            "outsider": set(),
        }
        for who, roles in expected.items():
            with self.subTest(who=who):
                self.assertEqual(set(roles_of(self.cast[who]).names()), roles)

    def test_a_person_who_left_has_no_roles(self):
        Person.objects.filter(pk=self.leader_person.pk).update(status="left")
        leader = type(self.leader).objects.get(pk=self.leader.pk)
        self.assertEqual(roles_of(leader).names(), [])


class VisibilityPerRole(CastTestCase):
    def test_internal_users_see_the_whole_directory(self):
        total = Person.objects.count()
        for who in ("admin", "leader", "office", "expert", "head", "executor", "staff"):
            with self.subTest(who=who):
                self.assertEqual(visible_people(self.cast[who]).count(), total)
                self.assertEqual(visible_departments(self.cast[who]).count(), 5)
                self.assertEqual(visible_groups(self.cast[who]).count(), 4)
                self.assertEqual(visible_vendors(self.cast[who]).count(), 2)

    def test_vendor_staff_see_only_their_company_and_their_assigned_group(self):
        people = set(visible_people(self.vendor).values_list("employee_no", flat=True))
        self.assertEqual(people, {"V0001", "E0005"})  # self and the execution group's leader
        self.assertEqual(list(visible_groups(self.vendor)), [self.exec_group])
        self.assertEqual(list(visible_vendors(self.vendor)), [self.vendor_co])
        self.assertEqual(visible_departments(self.vendor).count(), 0)

    def test_an_outsider_sees_nothing(self):
        self.assertEqual(visible_people(self.outsider).count(), 0)
        self.assertEqual(visible_groups(self.outsider).count(), 0)
        self.assertEqual(visible_vendors(self.outsider).count(), 0)

    def test_an_invisible_person_is_not_found_rather_than_forbidden(self):
        with self.assertRaises(Http404):
            get_person_for(self.vendor, self.sales_person.pk)
        with self.assertRaises(Http404):
            get_person_for(self.staff, "not-a-number")


class WhoMayEditAPerson(CastTestCase):
    def test_managers_may_edit_everything(self):
        for who in ("admin", "office"):
            self.assertEqual(person_editable_fields(self.cast[who], self.sales_person), {"*"})

    def test_a_head_may_edit_contact_details_in_their_departments_and_below(self):
        fields = person_editable_fields(self.head, self.staff_person)  # staff is in CS-CALL
        self.assertIn("mobile", fields)
        self.assertNotIn("department", fields)
        self.assertEqual(person_editable_fields(self.head, self.sales_person), frozenset())

    def test_everyone_may_keep_their_own_contact_details_current(self):
        fields = person_editable_fields(self.executor, self.executor_person)
        self.assertEqual(
            fields, {"mobile", "email", "title", "dingtalk_id", "wecom_id", "feishu_id", "language"}
        )
        with self.assertRaises(AccessDenied):
            get_person_for(self.executor, self.leader_person.pk, write=True)

    def test_the_leader_does_not_maintain_the_directory(self):
        self.assertEqual(person_editable_fields(self.leader, self.sales_person), frozenset())
