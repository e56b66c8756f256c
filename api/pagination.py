"""
Cursor pagination over a unique order (keyset): a cursor is the sort key of
the last item of the page, and the next page is the items after it.

django-ninja's CursorPagination (like Django REST framework's) stores one
field's value plus an offset among the rows that share it: ties beyond
NINJA_PAGINATION_MAX_OFFSET break it, a page size above the maximum is
quietly cut down, and the position reaches the ORM unchecked. Here the
cursor holds every field of a unique order, e.g. (published_at, id), so
there are no ties and no offsets; each page is an index range however deep
it is; an article published meanwhile never shifts a page; and a cursor is
checked field by field before any query, a bad one answering 400.
"""

import base64
import binascii
import json
from datetime import UTC, datetime
from functools import reduce
from operator import or_
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from .errors import ApiError


class InvalidCursor(ApiError):
    def __init__(self):
        super().__init__(
            400, "invalid_cursor", _("The cursor is not one this API gave."), param="cursor"
        )


class KeysetPaginator:
    def __init__(self, model, ordering, *, attributes=None):
        """
        `ordering`: field names (with "-" for descending) whose values are unique
        together. `attributes`: where an item holds those values, when the
        order reads them elsewhere (a tag's articles are ordered by the tag
        link's copy of published_at, whose values are the article's).
        """
        self.model = model
        self.ordering = tuple(ordering)
        self.fields = [name.lstrip("-") for name in self.ordering]
        self.attributes = list(attributes or self.fields)

    # The cursor: URL-safe base64 of a JSON list of the last item's sort values.

    def encode(self, item):
        values = []
        for name in self.attributes:
            value = getattr(item, name)
            values.append(value.isoformat() if isinstance(value, datetime) else value)
        raw = json.dumps(values, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode(self, cursor):
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            values = json.loads(raw)
        except (binascii.Error, ValueError):
            raise InvalidCursor() from None
        if not isinstance(values, list) or len(values) != len(self.attributes):
            raise InvalidCursor()
        return [
            self.to_python(name, value) for name, value in zip(self.attributes, values, strict=True)
        ]

    def to_python(self, name, value):
        field = self.model._meta.pk if name == "pk" else self.model._meta.get_field(name)
        # What encode() writes: integers for integer fields, strings for the rest.
        expected = int if isinstance(field, models.IntegerField | models.AutoField) else str
        if not isinstance(value, expected) or isinstance(value, bool):
            raise InvalidCursor()
        try:
            value = field.to_python(value)
            if isinstance(value, datetime):
                if value.tzinfo is None:
                    raise InvalidCursor()
                value.astimezone(UTC)  # OverflowError near the ends of the calendar
            else:
                field.run_validators(value)  # e.g. integers the database cannot hold
        except (ValidationError, ValueError, TypeError, OverflowError):
            raise InvalidCursor() from None
        return value

    # Pages

    def after(self, values):
        """The condition for the items after the sort key `values`."""
        conditions = []
        for i, (ordered, value) in enumerate(zip(self.ordering, values, strict=True)):
            lookup = "lt" if ordered.startswith("-") else "gt"
            equal = {name: v for name, v in zip(self.fields[:i], values[:i], strict=True)}
            conditions.append(Q(**equal, **{f"{self.fields[i]}__{lookup}": value}))
        first = self.ordering[0]
        # A plain range on the first field lets the database walk its index from
        # the cursor; the OR only settles ties on it.
        start = {f"{self.fields[0]}__{'lte' if first.startswith('-') else 'gte'}": values[0]}
        return Q(**start) & reduce(or_, conditions)

    def page(self, queryset, *, cursor, page_size, scope=None):
        """
        (items, next_cursor) of one page: one query, page_size + 1 rows.
        `scope` (a Q) goes into the same filter() as the cursor, so a condition
        on a many-valued relation (a tag) and the order on it share one join.
        """
        condition = scope if scope is not None else Q()
        if cursor:
            condition &= self.after(self.decode(cursor))
        queryset = queryset.filter(condition).order_by(*self.ordering)
        items = list(queryset[: page_size + 1])
        if len(items) > page_size:
            items = items[:page_size]
            return items, self.encode(items[-1])
        return items, None


def next_url(request, next_cursor):
    """The request's URL with `cursor` set to the next page (other parameters kept)."""
    if next_cursor is None:
        return None
    params = [(k, v) for k, v in request.GET.items() if k != "cursor"]
    params.append(("cursor", next_cursor))
    return request.build_absolute_uri(f"{request.path}?{urlencode(params)}")
