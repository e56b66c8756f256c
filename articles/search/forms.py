import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Longer queries answer 400 with a message; the search boxes stop at this length.
MAX_QUERY_LENGTH = 100
# Dates a reader may filter on; beyond them datetimes overflow in some time zones.
EARLIEST_DATE = dt.date(1000, 1, 1)
LATEST_DATE = dt.date(9998, 12, 31)


class SearchForm(forms.Form):
    """?q=…&topic=<slug>&from=YYYY-MM-DD&to=YYYY-MM-DD; every field optional."""

    q = forms.CharField(required=False, max_length=MAX_QUERY_LENGTH)
    topic = forms.SlugField(required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword, so these two are added here.
        for name in ("from", "to"):
            self.fields[name] = forms.DateField(
                required=False,
                input_formats=["%Y-%m-%d"],
                error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
            )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        for name, value in (("from", start), ("to", end)):
            if value and not EARLIEST_DATE <= value <= LATEST_DATE:
                self.add_error(name, _("Enter a date between the years 1000 and 9998."))
                cleaned[name] = None
        if cleaned.get("from") and cleaned.get("to") and cleaned["from"] > cleaned["to"]:
            self.add_error("to", _("The end date is before the start date."))
        return cleaned

    def published_range(self):
        """[from 00:00, the day after `to` 00:00) in the site's time zone, as aware datetimes."""

        def midnight(day):
            return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

        start, end = self.cleaned_data.get("from"), self.cleaned_data.get("to")
        return (
            midnight(start) if start else None,
            midnight(end + dt.timedelta(days=1)) if end else None,
        )
