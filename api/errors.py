"""
Every failure answers JSON (api.schemas.ErrorOut): 400 for bad input, 401 for
a refused key, 404, 429 with Retry-After; never a 500 for anything a caller
sends.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError


class ApiError(HttpError):
    def __init__(self, status, code, message, *, param=None):
        super().__init__(status, message)
        self.code = code
        self.param = param


def error_body(code, message, errors=()):
    return {"error": code, "message": str(message), "errors": list(errors)}


# pydantic's error types for the parameters we declare, in words we can translate.
def _param_message(error):
    ctx = error.get("ctx") or {}
    kind = error.get("type", "")
    if kind == "int_parsing":
        return _("Enter a whole number.")
    if kind == "less_than_equal":
        return _("At most %(limit)s.") % {"limit": ctx.get("le")}
    if kind == "greater_than_equal":
        return _("At least %(limit)s.") % {"limit": ctx.get("ge")}
    if kind == "string_too_long":
        return _("At most %(limit)s characters.") % {"limit": ctx.get("max_length")}
    if kind == "uuid_parsing":
        return _("Enter a UUID.")
    return error.get("msg", _("Invalid value."))


def _param_name(error):
    # ninja's locations look like ["query", "params", "page_size"].
    location = [str(part) for part in error.get("loc", ()) if part not in ("query", "path")]
    return location[-1] if location else ""


def install(api):
    """Register the handlers on a NinjaAPI."""

    @api.exception_handler(ValidationError)
    def invalid_params(request, exc):
        errors = [{"param": _param_name(e), "message": _param_message(e)} for e in exc.errors]
        message = "; ".join(f"{e['param']}: {e['message']}" for e in errors)
        return api.create_response(request, error_body("bad_request", message, errors), status=400)

    @api.exception_handler(ApiError)
    def api_error(request, exc):
        errors = [{"param": exc.param, "message": exc.message}] if exc.param else []
        body = error_body(exc.code, exc.message, errors)
        return api.create_response(request, body, status=exc.status_code)

    @api.exception_handler(AuthenticationError)
    def refused_key(request, exc):
        code = getattr(exc, "code", "key_unknown")
        body = error_body(code, exc.message, [{"param": "X-API-Key", "message": exc.message}])
        response = api.create_response(request, body, status=401)
        response["WWW-Authenticate"] = 'ApiKey header="X-API-Key"'
        return response

    @api.exception_handler(Throttled)
    def throttled(request, exc):
        # ninja adds Retry-After (whole seconds) to this response.
        body = error_body("rate_limited", _("Too many requests: wait and try again."))
        return api.create_response(request, body, status=429)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        body = error_body("not_found", _("Not found."))
        return api.create_response(request, body, status=404)

    @api.exception_handler(HttpError)
    def other_http_error(request, exc):
        body = error_body("bad_request" if exc.status_code == 400 else "error", exc.message)
        return api.create_response(request, body, status=exc.status_code)
