import json
from urllib.parse import urlencode

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import mark_safe

register = template.Library()

# As in django.utils.html.json_script: nothing in the data can close the tag.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def json_ld(data):
    """Serialise `data` for a <script type="application/ld+json"> element."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return mark_safe(text.translate(JSON_SCRIPT_ESCAPES))


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """The current URL with ?page=number, keeping the other query parameters."""
    query = context["request"].GET.copy()
    query["page"] = number
    return "?" + query.urlencode()


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This page's URL without tracking parameters; keeps ?page= beyond page 1."""
    request = context["request"]
    url = request.build_absolute_uri(request.path)
    page = request.GET.get("page")
    if page and page != "1":
        url += "?" + urlencode({"page": page})
    return url


@register.simple_tag(takes_context=True)
def breadcrumb_json_ld(context, crumbs):
    """The BreadcrumbList JSON-LD of `crumbs` [(name, url), ...], absolute URLs."""
    from articles.navigation import breadcrumb_json_ld as build

    return json_ld(build(crumbs, context["request"].build_absolute_uri))


@register.simple_tag
def page_numbers(page_obj):
    """First, last and a window around the current page; None marks a gap."""
    from articles.navigation import page_numbers as numbers

    return numbers(page_obj)


@register.simple_tag
def article_items(articles, item_heading=""):
    """A list's <li> items, each rendered once per article version (articles/rendering.py)."""
    from articles.rendering import rendered_items

    return rendered_items(articles, item_heading="h3" if item_heading == "h3" else "h2")
