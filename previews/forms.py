from django import forms
from django.utils.translation import gettext_lazy as _

LOCAL_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class PreviewLinkForm(forms.Form):
    """Until when a new link works, in the site's time zone (empty: 48 hours)."""

    expires_at = forms.DateTimeField(
        required=False, input_formats=LOCAL_INPUT_FORMATS, label=_("Valid until")
    )
