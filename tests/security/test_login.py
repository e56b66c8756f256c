"""
Security checklist: staff login (issue 9, item 5).

Failed logins lock an account + address out for a cooling-off period with a
plain page (django-axes); a chief editor unlocks; passwords are hashed with
Argon2 and older hashes upgraded at login; staff with a second factor give
it at every login; chief editors must set one up; recovery codes work once.
"""

import logging
import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from newsroom import settings as production
from tests.factories import make_user

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
DESK = reverse("admin:index")
TWO_FACTOR = reverse("accounts:two_factor")


def log_in(client, username, password="pw", code=None, address="203.0.113.5"):
    data = {"username": username, "password": password, "next": DESK}
    if code is not None:
        data["otp_token"] = code
    return client.post(LOGIN, data, REMOTE_ADDR=address)


def current_code(device, steps_ahead=0):
    """The app's code now (or the next one: a code is good once per time step)."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, drift=steps_ahead)
    return f"{code:06d}"


@pytest.fixture(autouse=True)
def _one_time_step(monkeypatch):
    """
    Each test runs at the start of one 30-second TOTP step, so "the code now"
    and "the code already used" cannot change under it when the clock ticks over.
    """
    now = int(time.time())
    monkeypatch.setattr("django_otp.oath.time", lambda: now - now % 30 + 1)


@pytest.fixture
def chief_required(settings):
    settings.TWO_FACTOR_REQUIRED_GROUPS = production.TWO_FACTOR_REQUIRED_GROUPS
    settings.TWO_FACTOR_REQUIRED_FOR_SUPERUSERS = True


# Throttling and lockout ---------------------------------------------------------


def test_a_good_password_logs_in_and_opens_the_desk():
    make_user("editor")
    client = Client()
    assert log_in(client, "editor")["Location"] == DESK
    assert client.get(DESK).status_code == 200


def test_failures_lock_the_account_on_that_address_with_a_plain_message(settings, caplog):
    make_user("editor")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "editor", "wrong").status_code == 200  # the form again
    with caplog.at_level(logging.WARNING, logger="axes"):
        locked = log_in(client, "editor", "wrong")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "15" in page and ("locked" in page or "锁定" in page)
    assert any(
        "locking out" in r.getMessage().lower() and "editor" in r.getMessage()
        for r in caplog.records
    )
    # The right password does not help while locked ...
    assert log_in(client, "editor").status_code == 429
    assert "_auth_user_id" not in client.session
    # ... on that address; the same account from elsewhere still logs in.
    assert log_in(Client(), "editor", address="198.51.100.7")["Location"] == DESK


def test_the_lock_ends_after_the_cooling_off_period(settings, time_machine):
    time_machine.move_to(timezone.now(), tick=True)
    make_user("editor")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(Client(), "editor", "wrong")
    assert log_in(Client(), "editor").status_code == 429
    time_machine.shift(settings.AXES_COOLOFF_TIME + timedelta(seconds=1))
    assert log_in(Client(), "editor")["Location"] == DESK


def test_a_chief_editor_unlocks_an_account_from_the_user_list(settings):
    editor = make_user("editor")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(Client(), "editor", "wrong")
    assert AccessAttempt.objects.filter(username="editor").exists()
    chief = Client()
    chief.force_login(make_user("chief"))
    response = chief.post(
        reverse("admin:auth_user_changelist"),
        {"action": "unlock_logins", "_selected_action": [editor.pk]},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="editor").exists()
    assert log_in(Client(), "editor")["Location"] == DESK


def test_writers_cannot_unlock_accounts(settings):
    editor = make_user("editor")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(Client(), "editor", "wrong")
    writer = Client()
    writer.force_login(make_user("writer"))
    writer.post(
        reverse("admin:auth_user_changelist"),
        {"action": "unlock_logins", "_selected_action": [editor.pk]},
    )
    assert AccessAttempt.objects.filter(username="editor").exists()


def test_behind_trusted_proxies_the_forwarded_address_is_counted(settings):
    settings.NINJA_NUM_PROXIES = 1
    make_user("editor")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post(
            LOGIN,
            {"username": "editor", "password": "wrong"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="spoofed, 203.0.113.9",
        )
    assert AccessAttempt.objects.get(username="editor").ip_address == "203.0.113.9"


# Password hashing -----------------------------------------------------------------


def test_passwords_are_hashed_with_argon2_and_old_hashes_upgraded_at_login(settings):
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    from django.contrib.auth.hashers import make_password

    user = make_user("editor")
    User.objects.filter(pk=user.pk).update(
        password=make_password("old-Password-1", hasher="pbkdf2_sha256")
    )
    assert log_in(Client(), "editor", "old-Password-1")["Location"] == DESK
    assert User.objects.get(pk=user.pk).password.startswith("argon2$argon2id$")
    user.set_password("new-Password-2")
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


# Two-factor login -----------------------------------------------------------------


def set_up_two_factor(client):
    """Walks the setup page as a user would; returns the device and recovery codes."""
    page = client.get(TWO_FACTOR)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "otpauth://totp/" in html
    device = TOTPDevice.objects.get(confirmed=False)
    assert device.key and len(html.split('id="otp-secret">')[1].split("<")[0]) >= 16
    wrong_code = "000000" if current_code(device) != "000000" else "111111"
    wrong = client.post(TWO_FACTOR, {"otp_token": wrong_code})
    assert wrong.status_code == 200 and not TOTPDevice.objects.get(pk=device.pk).confirmed
    # django-otp makes the next try wait a second after a wrong code.
    TOTPDevice.objects.get(pk=device.pk).throttle_reset()
    done = client.post(TWO_FACTOR, {"otp_token": current_code(device)})
    codes = [c.split("</code>")[0] for c in done.content.decode().split("<li><code>")[1:]]
    assert len(codes) == 10
    return TOTPDevice.objects.get(pk=device.pk), codes


def test_chief_editor_must_set_up_two_factor_before_the_desk_opens(chief_required):
    make_user("chief")
    client = Client()
    assert log_in(client, "chief")["Location"] == DESK
    response = client.get(DESK)
    assert response.status_code == 302 and response["Location"] == TWO_FACTOR
    assert client.get(reverse("admin:articles_article_changelist")).status_code == 302
    device, _ = set_up_two_factor(client)
    assert device.confirmed
    assert client.get(DESK).status_code == 200  # this session is verified now


def test_superusers_must_set_up_two_factor_too(chief_required):
    User.objects.create_superuser("root", password="pw")
    client = Client()
    log_in(client, "root")
    assert client.get(DESK)["Location"] == TWO_FACTOR


def test_two_factor_is_optional_for_editors(chief_required):
    make_user("editor")
    client = Client()
    log_in(client, "editor")
    assert client.get(DESK).status_code == 200


def test_with_two_factor_on_login_asks_for_the_code(chief_required):
    make_user("chief")
    client = Client()
    log_in(client, "chief")
    device, codes = set_up_two_factor(client)
    # Password alone: refused, and counted as a failure.
    fresh = Client()
    refused = log_in(fresh, "chief")
    assert refused.status_code == 200 and "_auth_user_id" not in fresh.session
    assert "authenticator" in refused.content.decode() or "验证" in refused.content.decode()
    assert AccessAttempt.objects.get(username="chief").failures_since_start == 1
    wrong_code = "123 456" if current_code(device) != "123456" else "654 321"
    assert log_in(fresh, "chief", code=wrong_code).status_code == 200
    # Password and the current code: in, and the desk opens.
    TOTPDevice.objects.get(pk=device.pk).throttle_reset()  # a second later
    # The code used to set up is spent; the app's next one (within the drift) works.
    assert log_in(fresh, "chief", code=current_code(device)).status_code == 200
    TOTPDevice.objects.get(pk=device.pk).throttle_reset()
    assert log_in(fresh, "chief", code=current_code(device, 1))["Location"] == DESK
    assert fresh.get(DESK).status_code == 200


def test_recovery_codes_log_in_once_each(chief_required):
    make_user("chief")
    client = Client()
    log_in(client, "chief")
    _, codes = set_up_two_factor(client)
    first = Client()
    assert log_in(first, "chief", code=codes[0])["Location"] == DESK
    assert first.get(DESK).status_code == 200
    assert log_in(Client(), "chief", code=codes[0]).status_code == 200  # spent
    StaticDevice.objects.get(name="recovery").throttle_reset()  # a second later
    assert log_in(Client(), "chief", code=codes[1])["Location"] == DESK


def test_a_session_without_the_second_factor_is_sent_back_to_log_in(chief_required):
    """E.g. a session from before the device was set up elsewhere."""
    chief = make_user("editor")
    TOTPDevice.objects.create(user=chief, name="phone", confirmed=True)
    client = Client()
    client.force_login(chief)
    response = client.get(DESK)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session


def test_a_chief_resets_a_lost_device_and_the_user_sets_up_again(chief_required):
    editor = make_user("editor")
    TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)
    chief = Client()
    chief.force_login(make_user("chief"))
    chief_session_ok = chief.get(DESK)
    assert chief_session_ok["Location"] == TWO_FACTOR  # the chief must set up first
    set_up_two_factor(chief)
    chief.post(
        reverse("admin:auth_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [editor.pk]},
    )
    assert not TOTPDevice.objects.filter(user=editor).exists()
    assert log_in(Client(), "editor")["Location"] == DESK


def test_an_unverified_session_cannot_change_the_second_factor(chief_required):
    editor = make_user("editor")
    TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)
    client = Client()
    client.force_login(editor)  # a session that never gave the code
    response = client.post(TWO_FACTOR, {"action": "off"})
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert TOTPDevice.objects.filter(user=editor, confirmed=True).exists()


def test_an_editor_turns_two_factor_off_and_a_chief_cannot(chief_required):
    for role in ("editor", "chief"):
        make_user(role)
        client = Client()
        log_in(client, role)
        set_up_two_factor(client)
        client.post(TWO_FACTOR, {"action": "off"})
        still_on = TOTPDevice.objects.filter(user__username=role, confirmed=True).exists()
        assert still_on == (role == "chief"), role
