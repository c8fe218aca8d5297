"""Log-in, lock-out, sessions and API tokens."""

from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from yingji.accounts.models import ApiToken
from yingji.accounts.services import token_create, token_revoke
from yingji.core.errors import AccessDenied
from yingji.org.testing import PASSWORD, CastTestCase


class LoggingIn(CastTestCase):
    def test_a_correct_password_logs_in(self):
        client = Client()
        response = client.post(
            reverse("accounts:login"), {"username": "staff", "password": PASSWORD}
        )
        self.assertRedirects(response, "/")

    def test_repeated_failures_lock_the_account_even_with_the_right_password(self):
        client = Client()
        for _attempt in range(settings.AXES_FAILURE_LIMIT):
            client.post(reverse("accounts:login"), {"username": "staff", "password": "wrong"})
        locked = client.post(reverse("accounts:login"), {"username": "staff", "password": PASSWORD})
        self.assertEqual(locked.status_code, 429)
        self.assertContains(locked, "Too many failed log-ins", status_code=429)
        other = Client().post(reverse("accounts:login"), {"username": "head", "password": PASSWORD})
        self.assertEqual(other.status_code, 302)  # only the attacked account is locked

    def test_sessions_expire(self):
        self.assertLessEqual(settings.SESSION_COOKIE_AGE, 24 * 3600)
        self.assertTrue(settings.SESSION_COOKIE_HTTPONLY)

    def test_a_person_who_left_cannot_log_in(self):
        from yingji.org.services import person_set_status

        person_set_status(actor=self.office, person=self.executor_person, status="left")
        response = Client().post(
            reverse("accounts:login"), {"username": "executor", "password": PASSWORD}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Wrong username or password")


class ApiTokens(CastTestCase):
    def test_a_token_is_shown_once_and_stored_only_as_a_hash(self):
        self.login("executor")
        response = self.client.post(reverse("accounts:tokens"), {"name": "巡检脚本"})
        secret = response.context["new_secret"]
        self.assertTrue(secret.startswith("yj_"))
        token = ApiToken.objects.get(user=self.executor)
        self.assertNotIn(secret, (token.key_hash, token.prefix))
        self.assertNotContains(self.client.get(reverse("accounts:tokens")), secret)

    def test_a_revoked_token_stops_working(self):
        token, raw = token_create(actor=self.executor, user=self.executor, name="x")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        self.assertEqual(client.get("/api/v1/groups/").status_code, 200)
        self.login("executor")
        self.client.post(reverse("accounts:token_revoke", args=[token.pk]))
        self.assertEqual(client.get("/api/v1/groups/").status_code, 401)

    def test_one_cannot_revoke_someone_elses_token(self):
        token, _raw = token_create(actor=self.executor, user=self.executor, name="x")
        self.login("staff")
        response = self.client.post(reverse("accounts:token_revoke", args=[token.pk]))
        self.assertEqual(response.status_code, 404)
        with self.assertRaises(AccessDenied):
            token_revoke(actor=self.staff, token=token)
        self.assertTrue(self.refreshed(token).is_live)

    def test_a_token_of_a_disabled_account_is_refused(self):
        _token, raw = token_create(actor=self.executor, user=self.executor, name="x")
        type(self.executor).objects.filter(pk=self.executor.pk).update(is_active=False)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        self.assertEqual(client.get("/api/v1/groups/").status_code, 401)

    @override_settings(
        REST_FRAMEWORK={
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"anon": "3/min", "user": "3/min"},
        }
    )
    def test_the_api_is_rate_limited(self):
        from django.core.cache import cache

        cache.clear()
        self.addCleanup(cache.clear)
        _token, raw = token_create(actor=self.staff, user=self.staff, name="loop")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        statuses = [client.get("/api/v1/groups/").status_code for _ in range(5)]
        self.assertEqual(statuses, [200, 200, 200, 429, 429])


class SettingAPassword(CastTestCase):
    def test_an_administrator_sets_a_first_password_that_then_works(self):
        self.login("admin")
        url = reverse("org:person_password", args=[self.sales_person.pk])
        self.client.post(url, {"password": "Spring-rain-2026", "password2": "Spring-rain-2026"})
        credentials = {"username": "sales", "password": "Spring-rain-2026"}
        logged_in = Client().post(reverse("accounts:login"), credentials)
        self.assertEqual(logged_in.status_code, 302)
        from yingji.audit.models import AuditEvent

        event = AuditEvent.objects.order_by("-seq")[0]
        self.assertEqual(event.action, "accounts.password.set")
        self.assertNotIn("Spring-rain-2026", str(event.after) + str(event.before))

    def test_a_weak_password_is_refused_with_the_reason(self):
        self.login("admin")
        url = reverse("org:person_password", args=[self.sales_person.pk])
        response = self.client.post(url, {"password": "123", "password2": "123"}, follow=True)
        self.assertContains(response, "too short")

    def test_the_office_may_not_set_passwords(self):
        self.login("office")
        url = reverse("org:person_password", args=[self.leader_person.pk])
        response = self.client.post(
            url, {"password": "Spring-rain-2026", "password2": "Spring-rain-2026"}
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(self.refreshed(self.leader).check_password("Spring-rain-2026"))


class ChangingOnesOwnPassword(CastTestCase):
    def test_the_change_works_keeps_the_session_and_is_audited(self):
        from yingji.audit.models import AuditEvent

        client = Client()
        client.post(reverse("accounts:login"), {"username": "staff", "password": PASSWORD})
        response = client.post(
            reverse("accounts:password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": "Autumn-leaves-77",
                "new_password2": "Autumn-leaves-77",
            },
        )
        self.assertRedirects(response, reverse("accounts:tokens"))
        self.assertEqual(client.get("/").status_code, 200)  # still logged in
        self.assertTrue(self.refreshed(self.staff).check_password("Autumn-leaves-77"))
        event = AuditEvent.objects.order_by("-seq")[0]
        self.assertEqual((event.action, event.actor), ("accounts.password.change", self.staff))

    def test_a_wrong_old_password_changes_nothing(self):
        self.login("staff")
        response = self.client.post(
            reverse("accounts:password_change"),
            {
                "old_password": "nope",
                "new_password1": "Autumn-leaves-77",
                "new_password2": "Autumn-leaves-77",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(self.refreshed(self.staff).check_password(PASSWORD))
