"""
Reader navigation shared by the public views: breadcrumbs (with their
BreadcrumbList JSON-LD), the window of numbered pages, and the archive's
months with their article counts.
"""

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

# Pages shown either side of the current one; the first and last always show.
PAGE_WINDOW = 2


def home_crumb():
    return (_("Home"), reverse("articles:home"))


def archive_crumbs(*, year=None, month=None, day=None):
    """Home › Archive › 2026年 › 2026年11月 › 2026年11月5日, as far as given."""
    crumbs = [home_crumb(), (_("Archive"), reverse("articles:archive"))]
    if year is not None:
        y = f"{year.year:04d}"
        crumbs.append((year_label(year), reverse("articles:archive-year", args=[y])))
    if month is not None:
        y, m = f"{month.year:04d}", f"{month.month:02d}"
        crumbs.append((month_label(month), reverse("articles:archive-month", args=[y, m])))
    if day is not None:
        y, m, d = f"{day.year:04d}", f"{day.month:02d}", f"{day.day:02d}"
        crumbs.append((day_label(day), reverse("articles:archive-day", args=[y, m, d])))
    return crumbs


def year_label(date):
    return pgettext("archive year", "%(year)s") % {"year": date.year}


def month_label(date):
    # The locale's own form: 2026年11月 in Chinese, November 2026 in English.
    return date_format(date, "YEAR_MONTH_FORMAT")


def day_label(date):
    return date_format(date, "DATE_FORMAT")


def breadcrumb_json_ld(crumbs, build_absolute_uri):
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": str(name),
                "item": build_absolute_uri(url),
            }
            for position, (name, url) in enumerate(crumbs, start=1)
        ],
    }


def page_numbers(page, window=PAGE_WINDOW):
    """
    The page numbers to link from `page`: the first, the last and `window`
    either side of the current one, with None where numbers are skipped.
    Page 7 of 20 gives [1, None, 5, 6, 7, 8, 9, None, 20].
    """
    last = page.paginator.num_pages
    wanted = {1, last, *range(page.number - window, page.number + window + 1)}
    numbers, previous = [], 0
    for number in sorted(n for n in wanted if 1 <= n <= last):
        if number > previous + 1:
            # A gap of one page shows that page rather than an ellipsis.
            numbers.append(previous + 1 if number == previous + 2 else None)
        numbers.append(number)
        previous = number
    return numbers


def archive_months(queryset):
    """
    [(year date, year count, [(month date, count), ...]), ...], newest first,
    in the site's time zone: one query for the whole archive.
    """
    rows = (
        queryset.order_by()
        .annotate(month=TruncMonth("published_at"))
        .values("month")
        .annotate(count=Count("pk"))
        .order_by("-month")
    )
    years = []
    for row in rows:
        month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        if not years or years[-1][0].year != month.year:
            years.append([month.replace(month=1), 0, []])
        years[-1][1] += row["count"]
        years[-1][2].append((month, row["count"]))
    return [tuple(year) for year in years]
