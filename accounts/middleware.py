from urllib.parse import urlencode

from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from .twofactor import has_two_factor, two_factor_required


class TwoFactorMiddleware:
    """
    The desk opens only to a session that gave its second factor, when the
    user has one, and only after setting one up, when their role requires it.
    After django_otp's OTPMiddleware, which tells whether the session is verified.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The path first: reading request.user reads the session, which would
        # mark every public page "Vary: Cookie" and keep it out of the page cache.
        if not request.path.startswith(reverse("admin:index")) or request.path.startswith(
            self.exempt_paths()
        ):
            return self.get_response(request)
        user = request.user
        if user.is_authenticated and user.is_staff and not user.is_verified():
            if has_two_factor(user):
                if not user.is_verified():
                    # A session that never gave the code (or predates the device).
                    logout(request)
                    login = reverse("admin:login")
                    return redirect(f"{login}?{urlencode({'next': request.get_full_path()})}")
            elif two_factor_required(user):
                return redirect("accounts:two_factor")
        return self.get_response(request)

    @staticmethod
    def exempt_paths():
        return (
            reverse("accounts:two_factor"),
            reverse("admin:login"),
            reverse("admin:logout"),
            reverse("admin:jsi18n"),
        )
