"""End to end in Debian's Chromium: log in, switch language, edit a person."""

import pytest
from playwright.sync_api import expect

from yingji.core.actors import SYSTEM
from yingji.org import services
from yingji.org.models import Person
from yingji.org.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button.primary")
    page.wait_for_url(f"{base}/")


def switch_language(page, code: str) -> None:
    with page.expect_navigation():
        page.select_option("#lang-select", code)


def test_log_in_switch_language_and_edit_a_person(live_server, page):
    cast = build_cast()
    base = live_server.url
    log_in(page, base, "office")
    assert page.locator("h1").inner_text() == "Hello, 李静"

    switch_language(page, "zh-hant")
    assert page.locator("nav.mainnav a").first.inner_text() == "首頁"
    assert page.locator("html").get_attribute("lang") == "zh-hant"

    staff = cast["staff_person"]
    page.goto(f"{base}/org/people/{staff.pk}/")
    page.click("a.button:has-text('編輯')")
    page.fill("#id_mobile", "13912345678")
    page.fill("#id_title", "值班長")
    page.click("main button.primary")
    page.wait_for_url(f"{base}/org/people/{staff.pk}/")
    assert "已儲存。" in page.locator(".flash").inner_text()
    assert "13912345678" in page.locator("dl.facts").inner_text()
    stored = Person.objects.get(pk=staff.pk)
    assert (stored.mobile, stored.title) == ("13912345678", "值班長")

    switch_language(page, "en")
    assert page.locator("nav.mainnav a").first.inner_text() == "Home"


def test_a_bad_value_is_shown_next_to_its_field_in_the_browser(live_server, page):
    cast = build_cast()
    log_in(page, live_server.url, "executor")
    person = cast["executor_person"]
    page.goto(f"{live_server.url}/org/people/{person.pk}/edit/")
    page.fill("#id_mobile", "call me maybe")
    page.click("main button.primary")
    error = page.locator(".field.has-error .error").first.inner_text()
    assert "phone number" in error
    assert Person.objects.get(pk=person.pk).mobile == person.mobile


def test_people_search_updates_as_you_type_on_a_phone(live_server, browser):
    build_cast()
    context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 800})
    page = context.new_page()
    log_in(page, live_server.url, "staff")
    page.goto(f"{live_server.url}/org/people/")
    page.fill("#id_q", "周强")
    expect(page.locator("#people-rows tr")).to_have_count(1)
    assert "周强" in page.locator("#people-rows").inner_text()
    context.close()


def test_the_api_docs_render_under_the_content_security_policy(live_server, page):
    build_cast()
    problems: list[str] = []

    def collect(message) -> None:
        if message.type == "error":
            problems.append(message.text)

    page.on("console", collect)
    log_in(page, live_server.url, "staff")
    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.locator(".swagger-ui .title")).to_contain_text("Yingji API")
    expect(page.locator(".opblock-tag").first).to_be_visible()
    assert problems == []


def test_a_long_people_picker_is_searchable(live_server, page):
    """Thirty people: the picker searches by name as one types, and the pick is saved."""
    cast = build_cast()
    for n in range(30):
        services.person_create(
            actor=SYSTEM,
            username=f"p{n}",
            employee_no=f"E9{n:03d}",
            full_name=f"测试员{n:02d}",
            department=cast["tech"],
        )
    services.person_create(
        actor=SYSTEM,
        username="wanted",
        employee_no="E9999",
        full_name="欧阳明月",
        department=cast["tech"],
    )
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    log_in(page, live_server.url, "office")
    page.goto(f"{live_server.url}/org/groups/{cast['exec_group'].pk}/")
    control = page.locator("#id_person-ts-control")
    expect(control).to_be_visible()  # the plain select became a searchable picker
    control.fill("欧阳")
    options = page.locator(".ts-dropdown .option")
    expect(options).to_have_count(1)
    options.first.click()
    assert page.eval_on_selector("#id_person", "el => el.selectedOptions[0].text") == "欧阳明月"
    page.select_option("#id_role", "member")
    page.click("main form.inline button.primary")  # a real click, right after picking
    expect(page.locator(".flash")).to_be_visible()
    expect(page.locator("main table")).to_contain_text("欧阳明月")
    assert not [line for line in console if "Content Security Policy" in line], console
