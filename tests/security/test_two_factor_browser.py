"""
Two-factor login end to end in headless Chromium, under the desk's
Content-Security-Policy: a chief editor logs in, is sent to the setup page,
reads the key off it, turns two-factor on, and the next login asks for a code.
"""

import pytest
from django.contrib.auth.models import Group
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from newsroom import settings as production
from tests.factories import ROLES, ensure_roles
from tests.test_browser import (  # noqa: F401  (fixtures)
    PASSWORD,
    Desk,
    allow_orm_under_playwright,
    browser,
    make_staff,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code_for(device, steps_ahead=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, drift=steps_ahead):06d}"


def test_chief_editor_sets_up_two_factor_and_logs_in_with_a_code(browser, live_server, settings):  # noqa: F811
    settings.TWO_FACTOR_REQUIRED_GROUPS = production.TWO_FACTOR_REQUIRED_GROUPS
    if not Group.objects.filter(name=ROLES["chief"]).exists():
        ensure_roles()
    make_staff("chief", ROLES["chief"])
    desk = Desk(browser, live_server.url, locale="en-US")
    page = desk.page
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", "chief")
    page.fill("#id_password", PASSWORD)
    page.locator("#login-form [type=submit]").click()
    # Sent to the setup page, with a QR code drawn inline and the key as text.
    expect(page).to_have_url(f"{live_server.url}/admin/two-factor/")
    expect(page.locator(".two-factor-qr svg")).to_be_visible()
    secret = page.locator("#otp-secret").inner_text()
    device = TOTPDevice.objects.get(user__username="chief", confirmed=False)
    assert len(secret) >= 32
    page.fill("#id_otp_token", code_for(device))
    page.locator("input[type=submit]").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="Go to the desk").click()
    expect(page).to_have_url(f"{live_server.url}/admin/")
    desk.assert_self_contained()  # no CSP violation on the login, setup or desk pages

    # A new browser: the password alone is not enough; with the next code it is.
    again = Desk(browser, live_server.url, locale="en-US")
    page = again.page
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", "chief")
    page.fill("#id_password", PASSWORD)
    page.locator("#login-form [type=submit]").click()
    expect(page.locator(".errornote")).to_contain_text("authenticator")
    TOTPDevice.objects.get(user__username="chief").throttle_reset()
    page.fill("#id_password", PASSWORD)
    page.fill("#id_otp_token", code_for(device, 1))
    page.locator("#login-form [type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/admin/")
    again.assert_self_contained()
