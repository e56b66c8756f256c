"""Login throttling (django-axes): the client address behind the configured proxies."""

from django.conf import settings


def client_address(request):
    """
    The address failures are counted against: REMOTE_ADDR, or with
    API_TRUSTED_PROXIES proxies in front, the X-Forwarded-For entry that
    many from the right (a client can write anything to its left).
    """
    proxies = settings.NINJA_NUM_PROXIES
    remote = request.META.get("REMOTE_ADDR", "")
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    return forwarded[-proxies] if len(forwarded) >= proxies else remote


def lockout_response(request, original_response, credentials):
    """The page a locked-out login gets: plain words, 429, and when to try again."""
    from axes.helpers import get_client_username, get_cool_off, get_failure_limit
    from django.shortcuts import render

    cool_off = get_cool_off(request)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "username": get_client_username(request, credentials) or "",
        "cooloff_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
    }
    return render(request, "accounts/locked_out.html", context, status=429)
