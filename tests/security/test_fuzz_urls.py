"""
Security checklist: hostile URLs never get a 5xx (issue 9).

Every public URL pattern (walked from newsroom/urls.py, the admin aside)
with hostile path values (NUL, overlong, bad dates, broken percent-encoding,
invalid UTF-8, operators, emoji), and every pattern's working URL with
hostile query values: all answers are below 500. Views see every parameter
here (the page cache, which drops unknown ones, is off in tests).
"""

import re

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver

from tests.factories import make_article

pytestmark = pytest.mark.django_db

# Already percent-encoded, as they would arrive on the wire.
PATH_VALUES = [
    "%00",
    "a%00b",
    "x" * 3000,
    "9" * 40,
    "0000",
    "00",
    "13",
    "99",
    "-1",
    "%F0%9F%98%80%F0%9F%98%80",
    "%E4%B8%AD%E6%96%87",
    "%ZZ",
    "%C0%AF",
    "%FF%FE",
    "..%2F..%2Fetc%2Fpasswd",
    "%27%20OR%201%3D1--",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "1e309",
    "%20",
    "*",
    "%5C",
    "a--b__c",
]
QUERY_VALUES = [
    "%00",
    "x" * 3000,
    "9" * 5000,
    "-1",
    "0",
    "1.5",
    "%F0%9F%98%80%F0%9F%98%80",
    "%E4%B8%AD" * 1000,
    "%ZZ",
    "%C0%AF",
    "%27%20OR%201%3D1--",
    "AND%20OR%20NOT%20%22%2B-%2A%7C",
    "title%3A%28%29",
    "%5B%5D",
    "2024-13-45",
    "2024-02-30T25%3A61%3A00",
]
QUERY_KEYS = ["page", "q", "cursor", "limit", "since", "until", "topic", "tag", "lang"]
DATES = [
    "archive/2023/02/29/",
    "archive/2024/02/30/",
    "archive/0000/00/00/",
    "archive/0001/01/01/",
    "archive/9999/12/31/",
    "archive/9999/99/",
    "archive/0000/",
    "archive/2024/13/",
    "archive/2024/00/01/",
]


def public_patterns():
    """(template, name) for every public pattern: placeholders {name} for its arguments."""

    def walk(patterns, prefix):
        for entry in patterns:
            text = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, text)
            else:
                yield text, entry.name

    for text, name in walk(get_resolver().url_patterns, ""):
        if text.startswith("admin/"):
            continue
        template = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", text)
        template = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", template)
        template = template.replace("^", "").replace("$", "").replace("\\.", ".")
        yield "/" + template, name


def fill(template, value):
    return re.sub(r"\{\w+\}", lambda _: value, template)


@pytest.fixture
def site(topic, settings):
    from articles.models import ArticleAuthor, Author

    settings.SECURITY_CONTACT = ["mailto:security@example.com"]
    article = make_article(topic=topic, title="模糊测试文章", tags=["储能"])
    author = Author.objects.create(name="张三")
    ArticleAuthor.objects.create(article=article, author=author, position=0)
    tag = article.tags.first()
    published = article.published_at
    # A working preview link (previews/) to a draft.
    from articles.models import Article
    from articles.workflow import SYSTEM
    from previews.services import create_link

    draft = make_article(topic=topic, status=Article.Status.DRAFT, published_at=None)
    _link, token = create_link(draft, by=SYSTEM)
    return {
        "slug": {
            "detail": article.slug,
            "topic": topic.slug,
            "tag": tag.slug,
            "author": author.slug,
        },
        "ident": str(article.uuid),
        "year": f"{published:%Y}",
        "month": f"{published:%m}",
        "day": f"{published:%d}",
        "section": "articles",
        "key": "abcdefgh1234",
        "rest": "anything",
        "token": token,
    }


def working_url(template, name, site):
    def value(match):
        arg = match.group(1)
        if arg == "slug":
            kinds = ("tag", "topic", "author")
            kind = next((k for k in kinds if name.startswith(k)), "detail")
            return site["slug"][kind]
        return site[arg]

    return re.sub(r"\{(\w+)\}", value, template)


def server_errors(client, urls):
    failures = []
    for url in urls:
        response = client.get(url)
        if response.status_code >= 500:
            failures.append((response.status_code, url[:200]))
    return failures


def test_the_walk_finds_every_public_page_kind():
    names = {name for _, name in public_patterns()}
    assert {
        "home",
        "detail",
        "archive-day",
        "tag",
        "search",
        "feed-rss",
        "sitemap-section",
    } <= names
    assert {"list_articles", "get_article", "indexnow-key"} <= names


def test_hostile_path_values_never_get_a_5xx(site):
    client = Client(raise_request_exception=False)
    urls = [f"/{path}" for path in DATES]
    for template, _name in public_patterns():
        if "{" not in template:
            continue
        urls += [fill(template, value) for value in PATH_VALUES]
    assert len(urls) > 200
    assert server_errors(client, urls) == []


def test_hostile_query_values_never_get_a_5xx(site):
    client = Client(raise_request_exception=False)
    urls = []
    for template, name in public_patterns():
        if name is None:
            continue
        base = working_url(template, name, site)
        for value in QUERY_VALUES:
            urls.append(f"{base}?" + "&".join(f"{key}={value}" for key in QUERY_KEYS))
            # The API and search validate parameters one by one: fuzz each alone.
            if base.startswith("/api/") or name == "search":
                urls += [f"{base}?{key}={value}" for key in QUERY_KEYS]
        urls.append(f"{base}?{'%00' * 50}=1&{'k' * 2000}=v&page=1&page=2&page=%00")
    assert server_errors(client, urls) == []


def test_the_working_urls_answer(site):
    """The fuzzed bases are real pages, so the query fuzz reaches the views."""
    client = Client()
    for template, name in public_patterns():
        if name in (None, "indexnow-key", "api-root"):
            continue
        url = working_url(template, name, site)
        assert client.get(url).status_code == 200, url
