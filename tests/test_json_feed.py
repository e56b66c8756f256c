"""
JSON Feed 1.1 (https://jsonfeed.org/version/1.1) at /feeds/json/ and per
topic and tag: valid against the specification's rules (as a JSON Schema,
plus the rules a schema cannot say), never showing an unpublished article.
"""

import json
from datetime import datetime

import jsonschema
import pytest

from articles.models import Article
from tests.factories import make_article, make_source, make_topic, make_unpublished_variants

RFC3339 = {"type": "string", "format": "date-time"}
URL = {"type": "string", "format": "uri"}
AUTHOR = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "url": URL, "avatar": URL},
    "anyOf": [{"required": ["name"]}, {"required": ["url"]}, {"required": ["avatar"]}],
}
# The JSON Feed 1.1 specification, top-level and item, as a schema.
JSON_FEED_1_1 = {
    "type": "object",
    "required": ["version", "title", "items"],
    "properties": {
        "version": {"const": "https://jsonfeed.org/version/1.1"},
        "title": {"type": "string", "minLength": 1},
        "home_page_url": URL,
        "feed_url": URL,
        "description": {"type": "string"},
        "user_comment": {"type": "string"},
        "next_url": URL,
        "icon": URL,
        "favicon": URL,
        "authors": {"type": "array", "items": AUTHOR},
        "language": {"type": "string", "pattern": "^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"},
        "expired": {"type": "boolean"},
        "hubs": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "url"],
                "properties": {"type": {"type": "string"}, "url": URL},
            },
        },
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id"],
                "anyOf": [{"required": ["content_html"]}, {"required": ["content_text"]}],
                "properties": {
                    "id": {"type": "string", "minLength": 1},
                    "url": URL,
                    "external_url": URL,
                    "title": {"type": "string"},
                    "content_html": {"type": "string"},
                    "content_text": {"type": "string"},
                    "summary": {"type": "string"},
                    "image": URL,
                    "banner_image": URL,
                    "date_published": RFC3339,
                    "date_modified": RFC3339,
                    "authors": {"type": "array", "items": AUTHOR},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "language": {"type": "string"},
                },
            },
        },
    },
}


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read the desk's English texts (the site's default language is Chinese)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def validate(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/feed+json; charset=utf-8"
    feed = json.loads(response.content)
    jsonschema.validate(
        feed, JSON_FEED_1_1, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    ids = [item["id"] for item in feed["items"]]
    assert len(ids) == len(set(ids))  # ids are unique and stable
    for item in feed["items"]:
        # Absolute URLs and RFC 3339 times with an offset (the schema's formats
        # are only checked when optional packages are installed).
        assert item["url"].startswith(("http://", "https://"))
        for name in ("date_published", "date_modified"):
            assert datetime.fromisoformat(item[name]).utcoffset() is not None
    return feed


@pytest.fixture
def scene(db):
    topic = make_topic("能源")
    restricted = make_source("路透社", licence_redistribute=False)
    visible = make_article(title="公开文章", topic=topic, tags=["储能"], byline="记者甲")
    reprint = make_article(
        title="路透社转载",
        topic=topic,
        tags=["储能"],
        source=restricted,
        source_url="https://reuters.example.com/a",
    )
    hidden = make_unpublished_variants(topic=topic, tags=["储能"])
    return topic, visible, reprint, hidden


@pytest.mark.django_db
@pytest.mark.parametrize("scope", ["site", "topic", "tag"])
def test_json_feed_validates_and_never_shows_an_unpublished_article(client, scene, scope):
    topic, visible, reprint, hidden = scene
    tag = visible.tags.get()
    url = {
        "site": "/feeds/json/",
        "topic": f"/topics/{topic.slug}/json/",
        "tag": f"/tags/{tag.slug}/json/",
    }[scope]
    feed = validate(client.get(url))
    titles = [item["title"] for item in feed["items"]]
    assert sorted(titles) == sorted([visible.title, reprint.title])
    for kind, article in hidden.items():
        assert article.title not in titles, kind
        assert str(article.uuid) not in json.dumps(feed), kind
    assert feed["feed_url"].endswith(url)


@pytest.mark.django_db
def test_json_feed_items_carry_content_authors_tags_and_the_original(client, scene):
    _topic, visible, reprint, _hidden = scene
    items = {item["title"]: item for item in validate(client.get("/feeds/json/"))["items"]}
    item = items[visible.title]
    assert item["id"] == visible.uuid.urn
    assert item["content_html"] == visible.body_html
    assert item["authors"] == [{"name": "记者甲"}] and item["tags"] == ["储能"]
    # A licence without redistribution: the summary and a link to the original only.
    restricted = items[reprint.title]
    assert "content_html" not in restricted and restricted["content_text"] == reprint.summary
    assert restricted["external_url"] == "https://reuters.example.com/a"


@pytest.mark.django_db
def test_json_feed_of_an_unknown_topic_is_404(client):
    assert client.get("/topics/no-such-topic/json/").status_code == 404
    assert Article.objects.count() == 0
