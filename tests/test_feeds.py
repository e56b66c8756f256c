"""
The RSS 2.0 and Atom feeds (articles/feeds.py): latest, per topic, per tag.

Every behaviour is checked on all six feeds; feeds are read back with
feedparser, the way an aggregator reads them, and exact values with
ElementTree.
"""

import calendar
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import http_date

from articles.models import Article, Source, Tag, Topic
from tests.factories import make_article, make_source, make_topic, make_unpublished_variants

TAG_NAME = "国际"
ORIGIN = "http://testserver"
# A fixed clock for tests that depend on Last-Modified or scheduling.
T0 = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)

FEEDS = {
    # id: (URL name, scope, feedparser version)
    "latest-rss": ("articles:feed-rss", None, "rss20"),
    "latest-atom": ("articles:feed-atom", None, "atom10"),
    "topic-rss": ("articles:topic-rss", "topic", "rss20"),
    "topic-atom": ("articles:topic-atom", "topic", "atom10"),
    "tag-rss": ("articles:tag-rss", "tag", "rss20"),
    "tag-atom": ("articles:tag-atom", "tag", "atom10"),
}
SCOPED_URL_NAMES = [name for name, scope, _ in FEEDS.values() if scope]
ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"


@dataclass
class FeedUnderTest:
    """One of the six feeds, with a builder for articles that belong in it."""

    id: str
    url: str
    version: str
    topic: Topic
    tag: Tag

    @property
    def is_atom(self):
        return self.version == "atom10"

    def article(self, **kwargs):
        """An article in this feed's scope (which is in all three scopes)."""
        kwargs.setdefault("topic", self.topic)
        kwargs.setdefault("tags", [TAG_NAME])
        return make_article(**kwargs)


@pytest.fixture
def tag(db):
    return Tag.objects.create(name=TAG_NAME)


@pytest.fixture(params=list(FEEDS))
def feed(request, topic, tag):
    url_name, scope, version = FEEDS[request.param]
    kwargs = {"slug": {"topic": topic, "tag": tag}[scope].slug} if scope else {}
    return FeedUnderTest(request.param, reverse(url_name, kwargs=kwargs), version, topic, tag)


def parse(response):
    assert response.status_code == 200, response.content[:500]
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def fetch(client, feed, **headers):
    return parse(client.get(feed.url, headers=headers))


def xml_items(response, feed):
    """The raw <item>/<entry> elements, for exact values feedparser normalises."""
    root = ET.fromstring(response.content)
    if feed.is_atom:
        return root.findall(f"{ATOM}entry")
    return root.findall("channel/item")


def entry_ids(parsed):
    return [entry.id for entry in parsed.entries]


def absolute(path):
    return ORIGIN + path


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def skip_unstorable(char):
    if char == "\x00" and connection.vendor == "postgresql":
        pytest.skip("PostgreSQL text columns cannot hold NUL at all")


# Well-formedness and item contents


def test_feed_is_well_formed_and_of_the_right_type(client, feed):
    feed.article()

    response = client.get(feed.url)
    parsed = parse(response)

    assert parsed.version == feed.version
    expected_type = "application/atom+xml" if feed.is_atom else "application/rss+xml"
    assert response["Content-Type"] == f"{expected_type}; charset=utf-8"
    assert parsed.feed.link.startswith(ORIGIN + "/")
    self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
    assert self_links == [absolute(feed.url)]
    if feed.id.startswith("topic"):
        assert parsed.feed.title.startswith(feed.topic.name)
    if feed.id.startswith("tag"):
        assert parsed.feed.title.startswith(TAG_NAME)


def test_feed_item_carries_every_field(client, feed):
    article = feed.article(
        title="工信部发布新规 & 征求意见",
        standfirst="导语:新规将于下月实施。",
        body='<p>第一段<a href="https://example.com/">原文</a></p><p>第二段完整正文</p>',
        byline="记者 张三",
        tags=[TAG_NAME, "政策"],
    )
    article.refresh_from_db()

    response = client.get(feed.url)
    parsed = parse(response)

    [entry] = parsed.entries
    assert entry.title == "工信部发布新规 & 征求意见"
    assert entry.link == absolute(article.get_absolute_url())
    assert entry.id == article.uuid.urn
    assert entry.guidislink is False
    assert entry.author == "记者 张三"
    assert calendar.timegm(entry.published_parsed) == int(article.published_at.timestamp())
    assert sorted(t.term for t in entry.tags) == sorted([TAG_NAME, "政策"])
    assert entry.summary == "导语:新规将于下月实施。"
    assert "第二段完整正文" in entry.content[0].value
    # The full sanitized body travels unchanged: content:encoded / <content type="html">.
    [item] = xml_items(response, feed)
    if feed.is_atom:
        content = item.find(f"{ATOM}content")
        assert content.get("type") == "html"
    else:
        content = item.find(CONTENT_ENCODED)
        assert item.find("guid").get("isPermaLink") == "false"
    assert content.text == article.body


@pytest.mark.parametrize("fmt", ["feed-rss", "feed-atom"])
def test_author_is_the_byline_else_the_source_else_absent(client, topic, fmt):
    source = make_source("人民日报")
    bylined = make_article(topic=topic, byline="记者 李四", source=source, age=timedelta(hours=1))
    sourced = make_article(topic=topic, byline="", source=source, age=timedelta(hours=2))
    anonymous = make_article(topic=topic, byline="", age=timedelta(hours=3))

    parsed = parse(client.get(reverse(f"articles:{fmt}")))

    authors = {entry.id: entry.get("author") for entry in parsed.entries}
    assert authors == {
        bylined.uuid.urn: "记者 李四",
        sourced.uuid.urn: "人民日报",
        anonymous.uuid.urn: None,
    }


@pytest.mark.parametrize("fmt", ["feed-rss", "feed-atom"])
def test_summary_falls_back_to_the_start_of_the_body(client, topic, fmt):
    make_article(topic=topic, standfirst="", body="<p>没有导语的正文</p>")

    [entry] = parse(client.get(reverse(f"articles:{fmt}"))).entries

    assert entry.summary == "没有导语的正文"


@pytest.mark.parametrize("fmt", ["feed-rss", "feed-atom"])
def test_the_standfirst_is_sent_as_text_not_html(client, topic, fmt):
    """Was: <summary type="html">, so a standfirst quoting markup became markup."""
    make_article(topic=topic, standfirst="标签<b>不加粗</b> & 5 < 6")
    response = client.get(reverse(f"articles:{fmt}"))
    raw = response.content.decode()
    if fmt == "feed-atom":
        assert '<summary type="text">标签&lt;b&gt;不加粗&lt;/b&gt; &amp; 5 &lt; 6</summary>' in raw
    else:
        assert "<description>标签&amp;lt;b&amp;gt;不加粗" in raw
    [entry] = parse(response).entries
    assert "<b>" not in entry.summary or entry.summary_detail.type == "text/plain"


def test_guid_survives_a_slug_change_and_is_not_a_permalink(client, feed):
    article = feed.article()
    before = fetch(client, feed).entries[0]

    article.slug = "renamed-article"
    article.save()
    after = fetch(client, feed).entries[0]

    assert before.id == after.id == article.uuid.urn
    assert before.link != after.link == absolute("/articles/renamed-article/")
    assert not after.id.startswith("http")
    assert after.guidislink is False


def test_items_are_newest_first_with_ties_broken_by_newest(client, feed):
    middle = feed.article(age=timedelta(hours=2))
    oldest = feed.article(age=timedelta(days=3))
    newest = feed.article(age=timedelta(minutes=5))
    tie_first = feed.article(published_at=middle.published_at)

    parsed = fetch(client, feed)

    assert entry_ids(parsed) == [a.uuid.urn for a in (newest, tie_first, middle, oldest)]


def test_feed_is_limited_to_the_newest_items(client, feed, settings):
    settings.FEED_ITEMS = 3
    articles = [feed.article(age=timedelta(hours=n)) for n in range(1, 6)]

    parsed = fetch(client, feed)

    assert entry_ids(parsed) == [a.uuid.urn for a in articles[:3]]


def test_latest_feed_carries_twenty_full_text_entries_by_default(client, topic):
    articles = [
        make_article(topic=topic, age=timedelta(minutes=n), body=f"<p>全文{n}</p>")
        for n in range(1, 23)
    ]

    parsed = parse(client.get(reverse("articles:feed-rss")))

    assert len(parsed.entries) == 20
    assert entry_ids(parsed) == [a.uuid.urn for a in articles[:20]]
    # Full text, not a summary.
    assert "全文1" in parsed.entries[0].content[0].value


def test_scoped_feeds_carry_only_their_scope(client, topic, tag):
    in_both = make_article(topic=topic, tags=[TAG_NAME])
    other_topic = make_article(topic=make_topic("政策法规"), tags=[TAG_NAME])
    untagged = make_article(topic=topic, tags=["其他"])

    def ids(url_name, slug=None):
        kwargs = {"slug": slug} if slug else {}
        return set(entry_ids(parse(client.get(reverse(url_name, kwargs=kwargs)))))

    everyone = {a.uuid.urn for a in (in_both, other_topic, untagged)}
    assert ids("articles:feed-rss") == ids("articles:feed-atom") == everyone
    for url_name in ("articles:topic-rss", "articles:topic-atom"):
        assert ids(url_name, topic.slug) == {in_both.uuid.urn, untagged.uuid.urn}
    for url_name in ("articles:tag-rss", "articles:tag-atom"):
        assert ids(url_name, tag.slug) == {in_both.uuid.urn, other_topic.uuid.urn}


def test_empty_scope_gives_a_valid_empty_feed(client, feed):
    parsed = fetch(client, feed)

    assert parsed.version == feed.version
    assert parsed.entries == []


# The publication rule


def test_invisible_articles_never_appear(client, feed):
    visible = feed.article(title="可见文章")
    hidden = make_unpublished_variants(topic=feed.topic, tags=[TAG_NAME])

    response = client.get(feed.url)
    parsed = parse(response)

    assert entry_ids(parsed) == [visible.uuid.urn]
    text = response.content.decode()
    for kind, article in hidden.items():
        assert article.uuid.urn not in text, kind
        assert article.title not in text, kind
        assert article.slug not in text, kind


def test_scheduled_article_is_absent_until_due(client, feed, time_machine):
    time_machine.move_to(T0, tick=False)
    scheduled = feed.article(published_at=T0 + timedelta(hours=3))

    assert entry_ids(fetch(client, feed)) == []

    time_machine.move_to(T0 + timedelta(hours=3), tick=False)
    assert entry_ids(fetch(client, feed)) == [scheduled.uuid.urn]


def test_expired_article_disappears_at_its_expiry(client, feed, time_machine):
    time_machine.move_to(T0, tick=False)
    expiring = feed.article(expires_at=T0 + timedelta(hours=1))

    assert entry_ids(fetch(client, feed)) == [expiring.uuid.urn]

    time_machine.move_to(T0 + timedelta(hours=1), tick=False)
    assert entry_ids(fetch(client, feed)) == []


# Characters XML cannot carry


@pytest.mark.parametrize("char", ["\x00", "\x0b", "\x1f"], ids=["nul", "vt", "us"])
def test_control_characters_stored_behind_save_never_break_the_feed(client, feed, char):
    skip_unstorable(char)
    source = make_source("新华社")
    bylined = feed.article(byline="记者")
    sourced = feed.article(byline="", source=source, standfirst="", age=timedelta(hours=2))
    # Rows written by importers or SQL never pass through Article.save().
    Article.objects.filter(pk=bylined.pk).update(
        title=f"坏{char}标题",
        standfirst=f"坏{char}导语",
        body=f"<p>坏{char}正文</p>",
        byline=f"坏{char}记者",
    )
    Article.objects.filter(pk=sourced.pk).update(body=f"<p>只有{char}正文</p>")
    Source.objects.filter(pk=source.pk).update(name=f"坏{char}来源")
    Tag.objects.filter(pk=feed.tag.pk).update(name=f"国{char}际")
    Topic.objects.filter(pk=feed.topic.pk).update(
        name=f"业界{char}新闻", description=f"行业{char}动态"
    )

    response = client.get(feed.url)
    parsed = parse(response)

    assert char not in response.content.decode()
    first, second = parsed.entries
    assert first.title == "坏标题"
    assert first.summary == "坏导语"
    assert "坏正文" in first.content[0].value
    assert first.author == "坏记者"
    assert [t.term for t in first.tags] == ["国际"]
    assert second.author == "坏来源"
    assert second.summary == "只有正文"


# Conditional GET and caching


def test_etag_answers_if_none_match_with_304(client, feed):
    feed.article()
    response = client.get(feed.url)
    assert response["ETag"]

    again = client.get(feed.url, headers={"If-None-Match": response["ETag"]})

    assert again.status_code == 304
    assert again.content == b""


def test_last_modified_answers_if_modified_since_with_304(client, feed, time_machine):
    time_machine.move_to(T0, tick=False)
    article = feed.article()
    time_machine.shift(timedelta(minutes=5))

    response = client.get(feed.url)
    assert response["Last-Modified"] == http_date(article.updated_at.timestamp())

    again = client.get(feed.url, headers={"If-Modified-Since": response["Last-Modified"]})
    assert again.status_code == 304


def test_unpublishing_defeats_if_modified_since(client, feed, time_machine):
    time_machine.move_to(T0, tick=False)
    kept = feed.article(age=timedelta(days=1))
    # The newest item: removing it must not leave the feed's date unchanged.
    removed = feed.article(age=timedelta(minutes=30))
    time_machine.shift(timedelta(minutes=5))
    last_modified = client.get(feed.url)["Last-Modified"]

    time_machine.shift(timedelta(minutes=5))
    removed.status = Article.Status.UNPUBLISHED
    removed.save()
    response = client.get(feed.url, headers={"If-Modified-Since": last_modified})

    assert entry_ids(parse(response)) == [kept.uuid.urn]
    assert response["Last-Modified"] != last_modified


def test_coming_due_and_expiring_defeat_if_modified_since(client, feed, time_machine):
    time_machine.move_to(T0, tick=False)
    feed.article(age=timedelta(days=1))
    scheduled = feed.article(published_at=T0 + timedelta(hours=1))
    expiring = feed.article(age=timedelta(hours=2), expires_at=T0 + timedelta(hours=2))
    last_modified = client.get(feed.url)["Last-Modified"]

    # The scheduled article comes due: nobody saved anything, yet the feed changed.
    time_machine.move_to(T0 + timedelta(hours=1, minutes=1), tick=False)
    response = client.get(feed.url, headers={"If-Modified-Since": last_modified})
    assert scheduled.uuid.urn in entry_ids(parse(response))
    last_modified = response["Last-Modified"]

    time_machine.move_to(T0 + timedelta(hours=2, minutes=1), tick=False)
    response = client.get(feed.url, headers={"If-Modified-Since": last_modified})
    assert expiring.uuid.urn not in entry_ids(parse(response))


def test_topic_feed_notices_an_article_moved_to_another_topic(client, topic, time_machine):
    time_machine.move_to(T0, tick=False)
    kept = make_article(topic=topic, age=timedelta(days=1))
    moved = make_article(topic=topic, age=timedelta(minutes=30))
    url = reverse("articles:topic-rss", kwargs={"slug": topic.slug})
    time_machine.shift(timedelta(minutes=5))
    last_modified = client.get(url)["Last-Modified"]

    time_machine.shift(timedelta(minutes=5))
    moved.topic = make_topic("政策法规")
    moved.save()
    response = client.get(url, headers={"If-Modified-Since": last_modified})

    assert entry_ids(parse(response)) == [kept.uuid.urn]


def test_tag_feed_notices_an_article_untagged(client, tag, topic, time_machine):
    time_machine.move_to(T0, tick=False)
    kept = make_article(topic=topic, tags=[TAG_NAME], age=timedelta(days=1))
    untagged = make_article(topic=topic, tags=[TAG_NAME], age=timedelta(minutes=30))
    url = reverse("articles:tag-atom", kwargs={"slug": tag.slug})
    time_machine.shift(timedelta(minutes=5))
    last_modified = client.get(url)["Last-Modified"]

    # As the admin does it: the article is saved, then its tags are replaced.
    time_machine.shift(timedelta(minutes=5))
    untagged.save()
    untagged.tags.set(["其他"])
    response = client.get(url, headers={"If-Modified-Since": last_modified})

    assert entry_ids(parse(response)) == [kept.uuid.urn]


def test_cache_control_is_public_with_max_age(client, feed, settings):
    response = client.get(feed.url)

    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert "public" in directives
    assert f"max-age={settings.PUBLIC_CACHE_SECONDS}" in directives


# Unknown scopes


@pytest.mark.parametrize("url_name", SCOPED_URL_NAMES)
def test_unknown_slug_is_404(client, topic, tag, url_name):
    response = client.get(reverse(url_name, kwargs={"slug": "no-such-slug"}))

    assert response.status_code == 404


@pytest.mark.parametrize("url_name", SCOPED_URL_NAMES)
def test_overlong_slug_is_404_without_being_looked_up(client, db, url_name):
    slug = "a" * 2000

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse(url_name, kwargs={"slug": slug}))

    assert response.status_code == 404
    # Only the 404 page's own queries (topic navigation), never a lookup by slug.
    assert not [q["sql"] for q in ctx.captured_queries if slug in q["sql"]]


# Query counts


def test_query_count_does_not_grow_with_the_number_of_items(
    client, feed, settings, django_assert_max_num_queries
):
    def add(n):
        for _ in range(n):
            feed.article(
                tags=[TAG_NAME, f"标签{Article.objects.count()}"],
                source=make_source(),
                byline="",
            )

    add(3)
    small = count_queries(client, feed.url)
    add(27)
    large = count_queries(client, feed.url)
    assert settings.FEED_ITEMS == 20  # the default: the newest 20 of 30

    assert small == large
    # The topic or tag (scoped feeds only), the last change, the items, their tags.
    scoped = not feed.id.startswith("latest")
    with django_assert_max_num_queries(3 + scoped):
        parsed = fetch(client, feed)
    assert len(parsed.entries) == 20
    assert all(len(entry.tags) == 2 and entry.author for entry in parsed.entries)
