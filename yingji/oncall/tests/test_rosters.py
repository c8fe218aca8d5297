"""Rosters in the pages and the API: rotations, overrides, a holiday calendar imported from
CSV, who is on duty now and next, and the .ics feed read back by an iCalendar parser."""

from datetime import UTC, date, datetime, time, timedelta

import time_machine
from icalendar import Calendar

from yingji.core.actors import SYSTEM
from yingji.oncall import services
from yingji.oncall.models import CalendarDay, Layer, Roster
from yingji.org.tests.test_api import ApiTestCase

# Monday 2026-09-28 10:00 in Shanghai
MONDAY = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)


class Rosters(ApiTestCase):
    def test_the_office_builds_a_roster_in_the_pages_and_everyone_sees_who_is_on_duty(self):
        with time_machine.travel(MONDAY, tick=False):
            self.login("office")
            self.client.post("/oncall/", {"name": "运维值班", "time_zone": "Asia/Shanghai"})
            roster = Roster.objects.get()
            bad = self.client.post(
                f"/oncall/{roster.pk}/",
                {
                    "add_layer": "1",
                    "name": "白班",
                    "rotation": "daily",
                    "handoff": "09:00",
                    "start_date": "2026-09-28",
                    "days": "all",
                    "priority": "1",
                    "members": "executor nobody-here",
                },
            )
            self.assertContains(bad, "nobody-here")
            self.client.post(
                f"/oncall/{roster.pk}/",
                {
                    "add_layer": "1",
                    "name": "白班",
                    "rotation": "daily",
                    "handoff": "09:00",
                    "start_date": "2026-09-28",
                    "days": "all",
                    "priority": "1",
                    "members": "executor expert",
                },
            )
            layer = Layer.objects.get()
            self.assertEqual(layer.members, [self.executor_person.pk, self.expert_person.pk])
            self.login("staff")
            listing = self.client.get("/oncall/")
            self.assertContains(listing, self.executor_person.full_name)  # on duty now
            self.assertContains(listing, self.expert_person.full_name)  # next, from 09-29 09:00
            self.assertContains(listing, "09-29 09:00")
            self.assertEqual(
                self.client.post(f"/oncall/{roster.pk}/", {"add_override": "1"}).status_code, 403
            )
            self.login("office")
            self.client.post(
                f"/oncall/{roster.pk}/",
                {
                    "add_override": "1",
                    "person": self.head_person.pk,
                    "starts_at": "2026-09-28T09:30",
                    "ends_at": "2026-09-28T18:00",
                    "reason": "张伟请假，部门负责人顶班",
                },
            )
            current, following = services.now_and_next(roster, MONDAY)
            assert current is not None and following is not None
            self.assertEqual((current.person, current.source), (self.head_person.pk, "override"))
            self.assertEqual(following.person, self.executor_person.pk)  # back after it

    def test_working_day_and_rest_day_rotations_follow_the_imported_calendar(self):
        self.login("office")
        self.client.post("/oncall/calendars/new/", {"name": "中国节假日"})
        calendar = services.HolidayCalendar.objects.get()
        upload = f"/oncall/calendars/{calendar.pk}/"
        csv = "date,kind,name\n2026-10-01,holiday,国庆节\n2026-10-10,workday,调休上班\n"
        bad = self.client.post(upload, {"file": _file("date,kind\n2026-13-01,holiday\n")})
        self.assertContains(bad, "Row 2", status_code=400)
        self.assertFalse(CalendarDay.objects.exists())
        self.client.post(upload, {"file": _file(csv)})
        self.assertEqual(CalendarDay.objects.count(), 2)
        roster = services.roster_create(actor=SYSTEM, name="值班", calendar=calendar)
        services.layer_add(
            actor=SYSTEM,
            roster=roster,
            name="工作日",
            rotation="daily",
            handoff=time(9),
            start_date=date(2026, 9, 1),
            days="workdays",
            members=[self.executor_person],
        )
        services.layer_add(
            actor=SYSTEM,
            roster=roster,
            name="节假日",
            rotation="weekly",
            handoff=time(9),
            start_date=date(2026, 9, 1),
            days="restdays",
            members=[self.expert_person],
        )
        holiday = services.on_duty_person(roster, datetime(2026, 10, 1, 4, tzinfo=UTC))
        worked_saturday = services.on_duty_person(roster, datetime(2026, 10, 10, 4, tzinfo=UTC))
        self.assertEqual((holiday, worked_saturday), (self.expert_person, self.executor_person))

    def test_the_ics_feed_lists_the_shifts_with_the_names(self):
        roster = services.roster_create(actor=SYSTEM, name="值班")
        services.layer_add(
            actor=SYSTEM,
            roster=roster,
            name="白班",
            rotation="daily",
            handoff=time(9),
            start_date=date(2026, 9, 1),
            members=[self.executor_person, self.expert_person],
        )
        with time_machine.travel(MONDAY, tick=False):
            self.login("staff")
            answer = self.client.get(f"/oncall/{roster.pk}/calendar.ics")
        self.assertEqual(answer["Content-Type"], "text/calendar; charset=utf-8")
        events = Calendar.from_ical(answer.content).walk("VEVENT")
        self.assertEqual(len(events), 61)  # the current shift and 60 more days
        # 27 days after the first shift: the second participant's turn, then the first's
        self.assertIn(self.expert_person.full_name, str(events[0]["SUMMARY"]))
        self.assertIn(self.executor_person.full_name, str(events[1]["SUMMARY"]))
        self.assertEqual(events[1].decoded("DTSTART"), datetime(2026, 9, 29, 1, 0, tzinfo=UTC))

    def test_the_api_sets_up_a_roster_and_answers_who_is_on_duty(self):
        office = self.api("office")
        created = office.post(
            "/api/v1/oncall/rosters/",
            {"name": "网络值班", "time_zone": "Europe/London"},
            format="json",
        )
        self.assertEqual(created.status_code, 201, created.content)
        url = f"/api/v1/oncall/rosters/{created.json()['id']}/"
        layer = office.post(
            url + "layers/",
            {
                "name": "周轮换",
                "rotation": "weekly",
                "handoff": "09:00",
                "start_date": "2026-09-07",
                "members": [self.executor_person.pk, self.expert_person.pk],
            },
            format="json",
        )
        self.assertEqual(layer.status_code, 201, layer.content)
        duty = office.get(url + "on-duty/?at=2026-09-28T08:59:00%2B01:00").json()
        # the third week (index 2: the first participant) until Monday 09:00, then the fourth
        self.assertEqual(duty["now"]["person"], self.executor_person.pk)
        self.assertEqual(duty["next"]["person"], self.expert_person.pk)
        self.assertEqual(duty["next"]["starts_at"], "2026-09-28T08:00:00Z")  # 09:00 BST
        self.assertEqual(office.get(url + "on-duty/?at=yesterday").status_code, 400)
        bad_zone = office.post(
            "/api/v1/oncall/rosters/", {"name": "x", "time_zone": "Mars/Base"}, format="json"
        )
        self.assertEqual((bad_zone.status_code, bad_zone.json()["field"]), (400, "time_zone"))
        self.assertEqual(
            self.api("staff")
            .post("/api/v1/oncall/rosters/", {"name": "y"}, format="json")
            .status_code,
            403,
        )
        self.assertEqual(self.api("outsider").get("/api/v1/oncall/rosters/").json()["results"], [])


def _file(text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("days.csv", text.encode(), content_type="text/csv")


class Swaps(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.roster = services.roster_create(actor=SYSTEM, name="运维值班")
        services.layer_add(
            actor=SYSTEM,
            roster=self.roster,
            name="白班",
            rotation="daily",
            handoff=time(9),
            start_date=date(2026, 9, 28),
            members=[self.executor_person, self.expert_person],
        )

    def on_duty_at(self, at: datetime) -> int | None:
        person = services.on_duty_person(self.roster, at)
        return person.pk if person else None

    def test_two_people_trade_shifts_in_the_page_and_the_api(self):
        tomorrow = MONDAY + timedelta(days=1)  # Tuesday 10:00: the expert's shift
        with time_machine.travel(MONDAY, tick=False):
            self.login("office")
            page = self.client.get(f"/oncall/{self.roster.pk}/")
            self.assertContains(page, "换班")
            # the shifts as the page offers them: the executor's (now), the expert's (Tuesday)
            first, second = MONDAY.isoformat(), "2026-09-29T01:00:00+00:00"
            self.assertContains(page, f'value="{second}"')
            answer = self.client.post(
                f"/oncall/{self.roster.pk}/",
                {"swap": "1", "first": first, "second": second, "reason": "家中有事"},
            )
            self.assertEqual(answer.status_code, 302, answer.content.decode()[-2000:])
        self.assertEqual(self.on_duty_at(MONDAY), self.expert_person.pk)
        self.assertEqual(self.on_duty_at(tomorrow), self.executor_person.pk)
        self.assertEqual(self.on_duty_at(MONDAY + timedelta(days=2)), self.executor_person.pk)
        with time_machine.travel(MONDAY, tick=False):
            office = self.api("office")
            same = office.post(
                f"/api/v1/oncall/rosters/{self.roster.pk}/swap/",
                {"first": MONDAY.isoformat(), "second": (MONDAY + timedelta(days=3)).isoformat()},
                format="json",
            )
            self.assertEqual(same.status_code, 400)  # both now the expert's
            self.assertIn("same person", same.content.decode())
            traded = office.post(
                f"/api/v1/oncall/rosters/{self.roster.pk}/swap/",
                {
                    "first": (MONDAY + timedelta(days=2)).isoformat(),
                    "second": (MONDAY + timedelta(days=3)).isoformat(),
                },
                format="json",
            )
            self.assertEqual(traded.status_code, 201, traded.content)
            self.assertEqual(len(traded.json()), 2)
            staff = self.api("staff")
            self.assertEqual(
                staff.post(
                    f"/api/v1/oncall/rosters/{self.roster.pk}/swap/",
                    {"first": MONDAY.isoformat(), "second": tomorrow.isoformat()},
                    format="json",
                ).status_code,
                403,
            )
        with time_machine.travel(MONDAY + timedelta(days=10), tick=False):
            late = self.api("office").post(
                f"/api/v1/oncall/rosters/{self.roster.pk}/swap/",
                {"first": MONDAY.isoformat(), "second": tomorrow.isoformat()},
                format="json",
            )
            self.assertEqual(late.status_code, 400)  # those shifts have ended
