"""Every endpoint makes the same number of queries however much it shows (two data sizes)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Correction
from tests.factories import make_article, make_source, make_topic

pytestmark = pytest.mark.django_db

TAGS = ["芯片", "政策", "人工智能", "新能源", "市场"]


def add_articles(n, topics, sources, start):
    for i in range(start, start + n):
        article = make_article(
            topic=topics[i % len(topics)],
            source=sources[i % len(sources)],
            tags=TAGS[i % 3 : i % 3 + 3],
            standfirst="" if i % 4 == 0 else f"导语{i}",
        )
        Correction.objects.create(article=article, text=f"更正{i}")
    return article


def count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.content)
    data = response.json()
    assert data if isinstance(data, list) else data.get("results", data), url
    return len(queries)


# What each costs: the page of articles (with topic and source) and their tags;
# a key adds its own lookup; the detail adds the corrections.
LIMITS = {
    "list": 2,
    "list filtered": 2,
    "list searched": 2,
    "list next page": 2,
    "detail": 3,
    "topics": 1,
    "tags": 1,
}


def urls(client, slug):
    first = client.get("/api/v1/articles?page_size=5").json()
    return {
        "list": "/api/v1/articles",
        "list filtered": "/api/v1/articles?topic=zheng-ce-fa-gui&tag=ren-gong-zhi-neng"
        "&source=人民日报&since=2000-01-01&until=2999-01-01",
        "list searched": "/api/v1/articles?q=人工智能",
        "list next page": first["next"],
        "detail": f"/api/v1/articles/{slug}",
        "topics": "/api/v1/topics",
        "tags": "/api/v1/tags",
    }


@pytest.mark.parametrize("caller", ["anon", "keyed"])
def test_query_counts_do_not_grow_with_the_data(topic, caller, request):
    client = request.getfixturevalue(caller)
    topics = [topic, make_topic("政策法规")]
    sources = [make_source("新华社"), make_source("人民日报")]
    last = add_articles(8, topics, sources, start=0)
    small = {name: count(client, url) for name, url in urls(client, last.slug).items()}

    topics += [make_topic("科技前沿"), make_topic("市场观察")]
    last = add_articles(60, topics, sources, start=100)
    large = {name: count(client, url) for name, url in urls(client, last.slug).items()}

    assert small == large
    key_lookup = 1 if caller == "keyed" else 0
    assert large == {name: limit + key_lookup for name, limit in LIMITS.items()}
