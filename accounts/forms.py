from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext_lazy as _

from .twofactor import has_two_factor, verify_code


def code_field(label, help_text=""):
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 12}
        ),
    )


def clean_code(value):
    return "".join((value or "").split())


class StaffLoginForm(AdminAuthenticationForm):
    """The desk's login: password, then the two-factor code for those who set one up."""

    otp_token = code_field(
        _("Two-factor code"),
        _("From your authenticator app, or a recovery code. Leave empty if you have none."),
    )

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "otp_required": _("Enter the code from your authenticator app, or a recovery code."),
    }

    def clean(self):
        cleaned = super().clean()
        user = self.user_cache
        if user is not None and has_two_factor(user):
            token = clean_code(cleaned.get("otp_token"))
            device = verify_code(user, token) if token else None
            if device is None:
                # A wrong code counts as a failed login (django-axes counts these).
                user_login_failed.send(
                    sender=__name__,
                    credentials={"username": user.get_username()},
                    request=self.request,
                )
                raise forms.ValidationError(
                    self.error_messages["otp_required"], code="otp_required"
                )
            # django_otp marks the session verified when the login completes.
            user.otp_device = device
        return cleaned


class ConfirmDeviceForm(forms.Form):
    otp_token = code_field(_("Code from the app"))

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_otp_token(self):
        token = clean_code(self.cleaned_data.get("otp_token"))
        if not token or not self.device.verify_token(token):
            raise forms.ValidationError(
                _("That code is not right. Check the phone's clock and try the next code.")
            )
        return token
