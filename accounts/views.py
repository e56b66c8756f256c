"""The desk's two-factor page: set up an authenticator, recovery codes, turn it off."""

import segno
from django.contrib import admin, messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from .forms import ConfirmDeviceForm
from .twofactor import (
    has_two_factor,
    new_recovery_codes,
    otpauth_secret,
    pending_totp_device,
    reset_two_factor,
    two_factor_required,
)


def render(request, template, context):
    return TemplateResponse(
        request,
        template,
        {
            **admin.site.each_context(request),
            "title": _("Two-factor login"),
            "required": two_factor_required(request.user),
            **context,
        },
    )


@require_http_methods(["GET", "POST"])
def two_factor(request):
    user = request.user
    if has_two_factor(user):
        if not user.is_verified():
            # Only a session that gave its code may change its second factor.
            logout(request)
            return redirect(f"{reverse('admin:login')}?next={reverse('accounts:two_factor')}")
        return manage(request)
    device = pending_totp_device(user)
    form = ConfirmDeviceForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = new_recovery_codes(user)
        otp_login(request, device)
        return render(request, "accounts/two_factor_codes.html", {"codes": codes})
    # An SVG drawn by segno: no image request, no inline script.
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, title=_("QR code"))
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": mark_safe(qr),  # noqa: S308 (segno's own markup)
            "secret": otpauth_secret(device),
            "otpauth_uri": device.config_url,
        },
    )


def manage(request):
    user = request.user
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "codes":
        codes = new_recovery_codes(user)
        return render(request, "accounts/two_factor_codes.html", {"codes": codes})
    if action == "off" and not two_factor_required(user):
        reset_two_factor(user)
        messages.success(request, _("Two-factor login is off."))
        return redirect(reverse("accounts:two_factor"))
    return render(request, "accounts/two_factor_manage.html", {})
