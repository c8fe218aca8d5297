"""/api/v1 for the organisation: bearer tokens, scoping, validation, the OpenAPI schema."""

from django.core.management import call_command
from rest_framework.test import APIClient

from yingji.accounts.services import token_create
from yingji.org.models import Department, Person
from yingji.org.testing import CastTestCase


class ApiTestCase(CastTestCase):
    def api(self, who: str) -> APIClient:
        _token, raw = token_create(actor=self.cast[who], user=self.cast[who], name="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client


class ReadingThroughTheApi(ApiTestCase):
    def test_requests_without_a_token_are_refused(self):
        response = APIClient().get("/api/v1/people/")
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response["WWW-Authenticate"], "Bearer")

    def test_a_wrong_token_is_refused_with_a_clear_message(self):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Bearer yj_not-a-real-token")
        response = client.get("/api/v1/people/")
        self.assertEqual(response.status_code, 401)
        self.assertIn("token", response.json()["detail"].lower())

    def test_the_list_is_scoped_by_role(self):
        everyone = self.api("staff").get("/api/v1/people/").json()
        self.assertEqual(everyone["count"], Person.objects.count())
        vendor_view = self.api("vendor").get("/api/v1/people/").json()
        self.assertEqual({p["employee_no"] for p in vendor_view["results"]}, {"V0001", "E0005"})

    def test_an_invisible_object_is_not_found(self):
        response = self.api("vendor").get(f"/api/v1/people/{self.sales_person.pk}/")
        self.assertEqual(response.status_code, 404)

    def test_a_malformed_id_is_not_found_rather_than_an_error(self):
        client = self.api("staff")
        for url in (
            "/api/v1/memberships/null,null/",
            "/api/v1/people/abc/",
            "/api/v1/groups/1.5/",
            "/api/v1/memberships/?group=x",
        ):
            with self.subTest(url=url):
                self.assertIn(client.get(url).status_code, (200, 404))

    def test_search_and_filter_parameters(self):
        data = self.api("staff").get("/api/v1/people/", {"q": "王建"}).json()
        self.assertEqual([p["full_name"] for p in data["results"]], ["王建国"])
        data = self.api("staff").get("/api/v1/memberships/", {"group": self.lead.pk}).json()
        self.assertEqual(data["count"], 1)


class WritingThroughTheApi(ApiTestCase):
    def test_the_office_creates_a_person_with_a_username(self):
        response = self.api("office").post(
            "/api/v1/people/",
            {
                "employee_no": "E0100",
                "full_name": "新人",
                "department": self.cs.pk,
                "username": "xinren",
                "mobile": "13900001111",
            },
            format="json",
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["username"], "xinren")
        self.assertEqual(Person.objects.get(employee_no="E0100").user.username, "xinren")

    def test_a_rule_violation_is_a_400_that_names_the_field(self):
        response = self.api("office").patch(
            f"/api/v1/departments/{self.cs.pk}/", {"parent": self.call.pk}, format="json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["field"], "parent")

    def test_malformed_values_are_a_400_per_field(self):
        response = self.api("office").post(
            "/api/v1/vendors/", {"name": "", "contract_start": "soon"}, format="json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(set(response.json()), {"name", "contract_start"})

    def test_staff_may_not_create_departments(self):
        response = self.api("staff").post(
            "/api/v1/departments/", {"code": "X", "name": "X"}, format="json"
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Department.objects.filter(code="X").exists())

    def test_a_person_may_update_their_own_mobile_only(self):
        client = self.api("executor")
        url = f"/api/v1/people/{self.executor_person.pk}/"
        self.assertEqual(
            client.patch(url, {"mobile": "13700000000"}, format="json").status_code, 200
        )
        self.assertEqual(client.patch(url, {"full_name": "改名"}, format="json").status_code, 403)
        self.assertEqual(self.refreshed(self.executor_person).full_name, "陈磊")

    def test_memberships_are_added_and_removed(self):
        client = self.api("office")
        response = client.post(
            "/api/v1/memberships/",
            {"group": self.expert_group.pk, "person": self.sales_person.pk, "role": "member"},
            format="json",
        )
        self.assertEqual(response.status_code, 201, response.content)
        again = client.post(
            "/api/v1/memberships/",
            {"group": self.expert_group.pk, "person": self.sales_person.pk},
            format="json",
        )
        self.assertEqual(again.status_code, 400)
        deleted = client.delete(f"/api/v1/memberships/{response.json()['id']}/")
        self.assertEqual(deleted.status_code, 204)

    def test_the_office_forms_an_execution_group_for_a_scenario(self):
        client = self.api("office")
        group = {"code": "EX-NS", "name": "网络安全执行小组", "kind": "execution"}
        refused = client.post("/api/v1/groups/", group, format="json")
        self.assertEqual((refused.status_code, refused.json()["field"]), (400, "scenario"))
        created = client.post(
            "/api/v1/groups/", {**group, "scenario": "network_security"}, format="json"
        )
        self.assertEqual(created.status_code, 201, created.content)
        self.assertEqual(created.json()["scenario"], "network_security")

    def test_the_office_registers_and_updates_a_vendor(self):
        client = self.api("office")
        created = client.post(
            "/api/v1/vendors/",
            {"name": "新供应商", "hotline": "400-100-2000", "contract_start": "2026-01-01"},
            format="json",
        )
        self.assertEqual(created.status_code, 201, created.content)
        url = f"/api/v1/vendors/{created.json()['id']}/"
        backwards = client.patch(url, {"contract_end": "2025-12-31"}, format="json")
        self.assertEqual((backwards.status_code, backwards.json()["field"]), (400, "contract_end"))
        self.assertEqual(
            client.patch(url, {"sla_response_minutes": 30}, format="json").json()[
                "sla_response_minutes"
            ],
            30,
        )

    def test_nothing_can_be_deleted_except_memberships(self):
        response = self.api("admin").delete(f"/api/v1/people/{self.sales_person.pk}/")
        self.assertEqual(response.status_code, 405)


class TheOpenApiSchema(ApiTestCase):
    def test_the_schema_is_valid_openapi_3(self):
        from io import StringIO

        import yaml
        from openapi_spec_validator import validate

        out = StringIO()
        call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
        spec = yaml.safe_load(out.getvalue())
        validate(spec)
        self.assertTrue(spec["openapi"].startswith("3."))
        self.assertIn("/api/v1/people/", spec["paths"])
        self.assertEqual(spec["components"]["securitySchemes"]["bearerAuth"]["scheme"], "bearer")

    def test_the_interactive_docs_use_local_assets_only(self):
        self.login("staff")
        html = self.client.get("/api/v1/docs/").content.decode()
        self.assertIn("swagger-ui", html)
        self.assertNotIn("cdn", html.lower())
        self.assertNotIn("<script>", html)  # inline scripts would break the CSP
