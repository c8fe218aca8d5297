"""Rules of the organisation, enforced in services whatever the entry point."""

from yingji.audit.models import AuditEvent
from yingji.core.actors import SYSTEM
from yingji.core.errors import AccessDenied, DomainError, FieldErrors
from yingji.org import services
from yingji.org.choices import GroupKind, MemberRole, PersonKind
from yingji.org.models import Department, Membership, Person
from yingji.org.testing import CastTestCase


class DepartmentRules(CastTestCase):
    def test_a_department_cannot_be_placed_below_its_own_sub_department(self):
        with self.assertRaises(DomainError) as caught:
            services.department_update(
                actor=self.office, department=self.cs, changes={"parent": self.call}
            )
        self.assertEqual(caught.exception.field, "parent")
        self.assertIsNone(self.refreshed(self.cs).parent)

    def test_the_head_must_be_an_active_employee(self):
        with self.assertRaises(DomainError) as caught:
            services.department_update(
                actor=self.office, department=self.tech, changes={"head": self.vendor_person}
            )
        self.assertEqual(caught.exception.field, "head")

    def test_head_and_deputy_must_be_different_people(self):
        with self.assertRaises(DomainError):
            services.department_update(
                actor=self.office, department=self.cs, changes={"deputy": self.head_person}
            )

    def test_codes_are_unique_and_well_formed(self):
        with self.assertRaises(FieldErrors) as caught:
            services.department_create(actor=self.office, code="CS", name="重复")
        self.assertIn("code", caught.exception.errors)
        with self.assertRaises(FieldErrors):
            services.department_create(actor=self.office, code="has space", name="坏")

    def test_only_managers_create_departments(self):
        for who in ("leader", "head", "staff", "vendor", "outsider"):
            with self.subTest(who=who), self.assertRaises(AccessDenied):
                services.department_create(actor=self.cast[who], code="NEW", name="新部门")
        self.assertFalse(Department.objects.filter(code="NEW").exists())

    def test_an_update_saves_and_audits_only_what_changed(self):
        before = AuditEvent.objects.count()
        services.department_update(
            actor=self.office, department=self.tech, changes={"name": "科技部", "code": "TECH"}
        )
        event = AuditEvent.objects.order_by("-seq")[0]
        self.assertEqual(AuditEvent.objects.count(), before + 1)
        self.assertEqual(event.action, "org.department.update")
        self.assertEqual(event.before, {"name": "信息技术部"})
        self.assertEqual(event.after, {"name": "科技部"})
        self.assertEqual(event.actor, self.office)

    def test_an_update_that_changes_nothing_writes_no_audit_event(self):
        before = AuditEvent.objects.count()
        services.department_update(
            actor=self.office, department=self.tech, changes={"name": "信息技术部"}
        )
        self.assertEqual(AuditEvent.objects.count(), before)


class PersonRules(CastTestCase):
    def test_an_employee_needs_a_department_and_vendor_staff_a_vendor(self):
        with self.assertRaises(DomainError) as caught:
            services.person_create(actor=self.office, employee_no="E9", full_name="无部门")
        self.assertEqual(caught.exception.field, "department")
        with self.assertRaises(DomainError) as caught:
            services.person_create(
                actor=self.office, employee_no="V9", full_name="无公司", kind=PersonKind.VENDOR
            )
        self.assertEqual(caught.exception.field, "vendor")

    def test_a_taken_username_is_refused_with_its_field(self):
        with self.assertRaises(DomainError) as caught:
            services.person_create(
                actor=self.office,
                username="LEADER",
                employee_no="E9",
                full_name="重名",
                department=self.cs,
            )
        self.assertEqual(caught.exception.field, "username")
        self.assertFalse(Person.objects.filter(employee_no="E9").exists())

    def test_bad_contact_details_are_refused_per_field(self):
        with self.assertRaises(FieldErrors) as caught:
            services.person_update(
                actor=self.executor,
                person=self.executor_person,
                changes={"mobile": "call me", "email": "not-an-address"},
            )
        self.assertEqual(set(caught.exception.errors), {"mobile", "email"})

    def test_self_service_cannot_move_oneself_to_another_department(self):
        with self.assertRaises(AccessDenied):
            services.person_update(
                actor=self.staff, person=self.staff_person, changes={"department": self.tech}
            )

    def test_a_person_who_leaves_cannot_sign_in_and_leaves_every_group(self):
        services.person_set_status(
            actor=self.office, person=self.executor_person, status="left", reason="离职"
        )
        person = self.refreshed(self.executor_person)
        self.assertEqual(person.status, "left")
        self.assertFalse(person.user.is_active)
        self.assertFalse(Membership.objects.filter(person=person).exists())
        actions = list(AuditEvent.objects.order_by("-seq").values_list("action", flat=True)[:2])
        self.assertEqual(actions, ["org.person.status", "org.membership.remove"])

    def test_a_department_head_cannot_leave_before_a_successor_is_named(self):
        with self.assertRaises(DomainError):
            services.person_set_status(actor=self.office, person=self.head_person, status="left")
        self.assertEqual(self.refreshed(self.head_person).status, "active")


class GroupRules(CastTestCase):
    def test_there_is_only_one_leadership_group(self):
        with self.assertRaises(FieldErrors):
            services.group_create(
                actor=self.office, code="LEAD2", name="第二领导小组", kind=GroupKind.LEADERSHIP
            )

    def test_an_execution_group_is_formed_for_a_scenario(self):
        with self.assertRaises(DomainError) as caught:
            services.group_create(
                actor=self.office, code="EX2", name="执行", kind=GroupKind.EXECUTION
            )
        self.assertEqual(caught.exception.field, "scenario")

    def test_a_group_has_at_most_one_leader(self):
        with self.assertRaises(FieldErrors):
            services.membership_add(
                actor=self.office, group=self.lead, person=self.head_person, role=MemberRole.LEADER
            )

    def test_vendor_staff_cannot_join_the_leadership_group(self):
        with self.assertRaises(DomainError):
            services.membership_add(actor=self.office, group=self.lead, person=self.vendor_person)

    def test_joining_twice_is_refused(self):
        with self.assertRaises(DomainError):
            services.membership_add(
                actor=self.office, group=self.exec_group, person=self.vendor_person
            )

    def test_a_group_with_members_keeps_its_kind(self):
        with self.assertRaises(DomainError):
            services.group_update(
                actor=SYSTEM, group=self.exec_group, changes={"kind": GroupKind.EXPERT}
            )


class VendorRules(CastTestCase):
    def test_a_contract_cannot_end_before_it_starts(self):
        from datetime import date

        with self.assertRaises(DomainError) as caught:
            services.vendor_update(
                actor=self.office,
                vendor=self.vendor_co,
                changes={"contract_start": date(2026, 5, 1), "contract_end": date(2026, 4, 1)},
            )
        self.assertEqual(caught.exception.field, "contract_end")
        self.assertIsNone(self.refreshed(self.vendor_co).contract_end)


class AuditEventsCiteTheRegulation(CastTestCase):
    def latest(self) -> AuditEvent:
        return AuditEvent.objects.order_by("-seq")[0]

    def test_each_kind_of_change_cites_its_clause(self):
        services.membership_add(actor=self.office, group=self.lead, person=self.sales_person)
        self.assertEqual(self.latest().regulation, "R-ORG-1")
        services.membership_add(
            actor=self.office, group=self.exec_group, person=self.other_vendor_staff_person
        )
        self.assertEqual(self.latest().regulation, "R-ORG-3")
        services.vendor_update(
            actor=self.office, vendor=self.vendor_co, changes={"hotline": "400-800-9000"}
        )
        self.assertEqual(self.latest().regulation, "R-SCOPE-2")
        services.department_update(
            actor=self.office, department=self.tech, changes={"head": self.expert_person}
        )
        self.assertEqual(self.latest().regulation, "R-RESP-2")
        services.department_update(
            actor=self.office, department=self.tech, changes={"name": "科技"}
        )
        self.assertEqual(self.latest().regulation, "R-SCOPE-1")
