"""
Two-factor login (TOTP, django-otp) for staff: who must use it, and the devices.

A staff user with a confirmed device gives a code at every login; members of
TWO_FACTOR_REQUIRED_GROUPS (the chief editor by default) and superusers
must set one up before the desk opens for them. Recovery codes are
django-otp static tokens, each good once.
"""

import base64

from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODE_COUNT = 10


def two_factor_required(user):
    if not user.is_staff:
        return False
    if user.is_superuser and settings.TWO_FACTOR_REQUIRED_FOR_SUPERUSERS:
        return True
    required = settings.TWO_FACTOR_REQUIRED_GROUPS
    return bool(required) and user.groups.filter(name__in=required).exists()


def has_two_factor(user):
    return user_has_device(user, confirmed=True)


def verify_code(user, code):
    """
    The device that accepts code (a six-digit app code or a recovery code),
    or None. Each device checks only the codes it issues, so a recovery code
    never counts against the app's throttle, nor the reverse.
    """
    is_app_code = code.isdigit() and len(code) == 6
    with transaction.atomic():
        for device in devices_for_user(user, for_verify=True):
            if isinstance(device, TOTPDevice) != is_app_code:
                continue
            if device.verify_token(code):
                return device
    return None


def pending_totp_device(user):
    """The authenticator being set up: unconfirmed until its first code is right."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def new_recovery_codes(user):
    """Replace the user's recovery codes; returns the new ones (shown once)."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="recovery")
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def reset_two_factor(user):
    """Remove every device: the user sets two-factor up again at next login."""
    for device in devices_for_user(user, confirmed=None):
        device.delete()


def otpauth_secret(device):
    """The base32 secret an authenticator app accepts when typed in."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")
