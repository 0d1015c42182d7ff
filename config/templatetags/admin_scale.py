"""`{% recent_date_hierarchy cl %}`: Django's date drill-down without its DISTINCT scans.

Django's `{% date_hierarchy %}` lists the years, months and days that have rows
(`SELECT DISTINCT` over the whole table, 85 % of a 100k-row changelist's time). This tag offers
fixed links instead: the model admin's last `date_hierarchy_years` years, the months of the chosen
year up to now, the days of the chosen month up to today. The parameters are Django's own, so the
changelist filters on a range of the (indexed) column as before.
"""

import calendar
import datetime

from django import template
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from config.admin_scale import recent_years

register = template.Library()


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def recent_date_hierarchy(cl) -> dict:
    field_name = cl.date_hierarchy
    if not field_name:
        return {"show": False}
    year_field, month_field, day_field = (f"{field_name}__{part}" for part in ("year", "month", "day"))
    year, month, day = (_int(cl.params.get(name)) for name in (year_field, month_field, day_field))
    today = timezone.localdate()

    def link(filters):
        return cl.get_query_string(filters, [f"{field_name}__"])

    def month_title(y, m):
        return capfirst(formats.date_format(datetime.date(y, m, 1), "YEAR_MONTH_FORMAT"))

    if year and month and day:
        chosen = datetime.date(year, month, day)
        return {
            "show": True,
            "back": {"link": link({year_field: year, month_field: month}), "title": month_title(year, month)},
            "choices": [{"title": capfirst(formats.date_format(chosen, "MONTH_DAY_FORMAT"))}],
        }
    if year and month:
        last = calendar.monthrange(year, month)[1]
        if (year, month) == (today.year, today.month):
            last = today.day
        return {
            "show": True,
            "back": {"link": link({year_field: year}), "title": str(year)},
            "choices": [
                {
                    "link": link({year_field: year, month_field: month, day_field: number}),
                    "title": capfirst(
                        formats.date_format(datetime.date(year, month, number), "MONTH_DAY_FORMAT")
                    ),
                }
                for number in range(1, last + 1)
            ],
        }
    if year:
        last = today.month if year == today.year else 12
        return {
            "show": True,
            "back": {"link": link({}), "title": _("All dates")},
            "choices": [
                {"link": link({year_field: year, month_field: number}), "title": month_title(year, number)}
                for number in range(1, last + 1)
            ],
        }
    years = recent_years(getattr(cl.model_admin, "date_hierarchy_years", 5), today)
    return {
        "show": True,
        "back": None,
        "choices": [{"link": link({year_field: number}), "title": str(number)} for number in years],
    }


@register.tag(name="recent_date_hierarchy")
def recent_date_hierarchy_tag(parser, token):
    return InclusionAdminNode(
        parser,
        token,
        func=recent_date_hierarchy,
        template_name="date_hierarchy.html",
        takes_context=False,
    )
