"""
Who is calling and what that unlocks. Anonymous callers get summaries;
a partner key (header X-API-Key) unlocks full text and the images marked
redistributable (api.media).
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import APIKeyHeader

from .keys import KeyRefused, find_key
from .models import PartnerKey

KEY_HEADER = "X-API-Key"


@dataclass(frozen=True)
class Access:
    partner: PartnerKey | None = None

    @property
    def full_text(self):
        return self.partner is not None

    @property
    def redistributable_images(self):
        return self.partner is not None


ANONYMOUS = Access()


class KeyRefusedError(AuthenticationError):
    def __init__(self, code, message):
        super().__init__(status_code=401, message=message)
        self.code = code


class PartnerKeyAuth(APIKeyHeader):
    """
    The X-API-Key header. Without it the request goes on as anonymous (the
    next authenticator); with a key that is unknown, malformed or revoked
    it is refused with 401, never quietly served as anonymous.
    """

    param_name = KEY_HEADER

    def _get_key(self, request):
        # Present but empty counts as sent: a client that means to send a key.
        return request.headers.get(self.param_name)

    def authenticate(self, request, key):
        if key is None:
            return None
        try:
            return Access(partner=find_key(key))
        except KeyRefused as refused:
            if refused.reason == "revoked":
                raise KeyRefusedError("key_revoked", _("This API key has been revoked.")) from None
            raise KeyRefusedError("key_unknown", _("This API key is not valid.")) from None


def anonymous(request):
    return ANONYMOUS


def caller_access(request):
    """The Access of an API request (set by the authenticators above)."""
    return getattr(request, "auth", None) or ANONYMOUS
