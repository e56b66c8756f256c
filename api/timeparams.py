"""`since` and `until`: a date (a whole day in the site's time zone) or an ISO 8601 time."""

import datetime as dt

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from articles.search.forms import EARLIEST_DATE, LATEST_DATE

from .errors import ApiError


def _invalid(param, message=None):
    return ApiError(
        400,
        "bad_request",
        message or _("Enter a date (YYYY-MM-DD) or an ISO 8601 time."),
        param=param,
    )


def parse_moment(value, param, *, end_of_day):
    """An aware datetime; a bare date is its midnight (or the next midnight for end_of_day)."""
    try:
        # Dates first: Python also reads "2024-12-05" as a datetime (midnight).
        day = parse_date(value)
        moment = None if day else parse_datetime(value)
    except ValueError:  # well-formed but impossible, e.g. month 13
        raise _invalid(param) from None
    if moment is None and day is None:
        raise _invalid(param)
    checked = moment.date() if moment else day
    if not EARLIEST_DATE <= checked <= LATEST_DATE:
        raise _invalid(param, _("Enter a date between the years 1000 and 9998."))
    if day is not None:
        if end_of_day:
            day += dt.timedelta(days=1)
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def published_range(since, until):
    """[start, end) for the `since` and `until` parameters; either may be None."""
    start = parse_moment(since, "since", end_of_day=False) if since else None
    end = parse_moment(until, "until", end_of_day=True) if until else None
    if start and end and start >= end:
        raise _invalid("until", _("until must be later than since."))
    return start, end
