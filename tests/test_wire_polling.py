"""
Wire feeds polled on a schedule (wire/polling.py): conditional GET through
the safe fetcher, the idempotent importer as the person who set the feed
up, a log per poll, backoff for failing feeds, one poll per due feed.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from jobs.models import Job
from tests import wire_dns
from tests.factories import ensure_roles, make_source, make_topic, make_user
from tests.http_servers import RecordingServer
from wire import polling
from wire.models import PollRun, WireFeed
from wire.tasks import tick

FEED_URL = f"http://{wire_dns.HOST}/feed.xml"
ITEMS = [
    (
        "锂电池回收网络覆盖地级市",
        "退役动力电池回收服务网点已覆盖全国大部分地级市，车企与回收企业共建网络。",
    ),
    ("风电装机容量再创新高", "今年新增风电装机容量超过预期，海上风电项目集中并网。"),
    ("光伏组件出口保持增长", "光伏组件出口量同比增长，欧洲和中东市场需求旺盛。"),
]


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read the desk's English texts (the site's default language is Chinese)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def rss(items=ITEMS):
    entries = "".join(
        f"<item><title>{title}</title><link>https://{wire_dns.HOST}/n/{n}.html</link>"
        f"<pubDate>Mon, 02 Dec 2024 0{n}:00:00 +0800</pubDate><category>能源</category>"
        f"<description>{text}</description></item>"
        for n, (title, text) in enumerate(items, start=1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Wire</title>'
        f"<link>https://{wire_dns.HOST}/</link><description>d</description>{entries}</channel></rss>"
    ).encode()


def conditional_feed(body, etag='"v1"'):
    """A feed that answers 304 to a request carrying its ETag."""

    def answer(request):
        if request.headers.get("If-None-Match") == etag:
            return 304, {"ETag": etag}, b""
        return 200, {"Content-Type": "application/rss+xml; charset=utf-8", "ETag": etag}, body

    return (200, {}, answer)


@pytest.fixture
def feed_server(monkeypatch):
    server = RecordingServer()
    wire_dns.install(server.port, monkeypatch.setattr)
    yield server
    server.close()


@pytest.fixture
def chief(db):
    ensure_roles()
    return make_user("chief", "zongbian")


def make_feed(owner, **fields):
    source = fields.pop("source", None) or make_source("新华社")
    topic = fields.pop("topic", None) or make_topic("能源")
    return WireFeed.objects.create(
        source=source, url=FEED_URL, topic=topic, owner=owner, tags="电力, 能源", **fields
    )


@pytest.mark.django_db
def test_a_feed_polled_twice_imports_once(feed_server, chief):
    feed_server.route("/feed.xml", conditional_feed(rss()))
    feed = make_feed(chief)
    first = polling.poll_feed(feed.pk)
    second = polling.poll_feed(feed.pk)
    assert (first.outcome, first.created, first.http_status) == (PollRun.Outcome.IMPORTED, 3, 200)
    assert (second.outcome, second.created, second.http_status) == (
        PollRun.Outcome.NOT_MODIFIED,
        0,
        304,
    )
    assert Article.objects.count() == 3
    requests = feed_server.hits("/feed.xml")
    assert len(requests) == 2
    assert "If-None-Match" not in requests[0].headers
    assert requests[1].headers["If-None-Match"] == '"v1"'
    article = Article.objects.get(title=ITEMS[0][0])
    assert article.source == feed.source and article.topic == feed.topic
    assert sorted(article.tags.names()) == ["电力", "能源"]
    assert article.status == Article.Status.DRAFT  # drafts unless the feed publishes
    assert article.events.get().actor == chief  # imported as the feed's owner


@pytest.mark.django_db
def test_a_server_that_ignores_conditional_get_still_imports_once(feed_server, chief):
    feed_server.route(
        "/feed.xml",
        (
            200,
            {
                "Content-Type": "application/rss+xml",
                "Last-Modified": "Mon, 02 Dec 2024 01:00:00 GMT",
            },
            rss(),
        ),
    )
    feed = make_feed(chief)
    polling.poll_feed(feed.pk)
    again = polling.poll_feed(feed.pk)
    assert (again.outcome, again.created, again.skipped) == (PollRun.Outcome.IMPORTED, 0, 3)
    assert (
        feed_server.hits("/feed.xml")[1].headers["If-Modified-Since"]
        == "Mon, 02 Dec 2024 01:00:00 GMT"
    )
    assert Article.objects.count() == 3


@pytest.mark.django_db
def test_a_publishing_feed_publishes_only_while_its_owner_may_publish(feed_server, chief):
    feed_server.route("/feed.xml", (200, {"Content-Type": "application/rss+xml"}, rss()))
    writer = make_user("writer", "xiaozhang")
    feed = make_feed(writer, publish=True)  # as if the owner had lost the permission since
    run = polling.poll_feed(feed.pk)
    assert run.created == 3
    assert set(Article.objects.values_list("status", flat=True)) == {Article.Status.DRAFT}
    assert "may not publish: items arrive as drafts" in run.report

    Article.objects.all().delete()
    WireFeed.objects.filter(pk=feed.pk).update(owner=chief, etag="", last_modified="")
    polling.poll_feed(feed.pk)
    assert set(Article.objects.values_list("status", flat=True)) == {Article.Status.PUBLISHED}
    assert Article.objects.published().count() == 3


@pytest.mark.django_db
def test_the_desk_refuses_a_publishing_feed_from_someone_who_may_not_publish(client, chief):
    from django.contrib.auth.models import Permission

    clerk = make_user("none", "clerk")
    clerk.user_permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "add_wirefeed",
                "change_wirefeed",
                "view_wirefeed",
                "view_source",
                "view_topic",
            ]
        )
    )
    client.force_login(clerk)
    source, topic = make_source("路透社"), make_topic("国际")
    form = {
        "source": source.pk,
        "url": "https://wire.example.com/reuters.xml",
        "format": "auto",
        "interval": 15,
        "topic": topic.pk,
        "tags": "",
        "on_duplicate": "link",
        "enabled": "on",
    }
    refused = client.post("/admin/wire/wirefeed/add/", {**form, "publish": "on"})
    assert refused.status_code == 200
    assert "Only someone who may publish" in refused.content.decode()
    assert not WireFeed.objects.exists()
    saved = client.post("/admin/wire/wirefeed/add/", form)
    assert saved.status_code == 302
    feed = WireFeed.objects.get()
    assert feed.owner == clerk and not feed.publish


@pytest.mark.django_db
def test_due_feeds_are_claimed_once_however_many_ticks(
    feed_server, chief, django_capture_on_commit_callbacks
):
    feed_server.route("/feed.xml", conditional_feed(rss()))
    feed = make_feed(chief)
    with django_capture_on_commit_callbacks(execute=True):
        first = polling.poll_due_feeds()
        second = polling.poll_due_feeds()  # a second scheduler, or the next tick too soon
    assert len(first) == 1 and second == []
    feed.refresh_from_db()
    assert feed.next_poll_at > timezone.now() + timedelta(minutes=14)
    assert Job.objects.get().status == Job.Status.SUCCEEDED
    assert len(feed_server.hits("/feed.xml")) == 1
    assert Article.objects.count() == 3


@pytest.mark.django_db
def test_the_scheduler_tick_polls_due_feeds_through_jobs(
    feed_server, chief, django_capture_on_commit_callbacks
):
    feed_server.route("/feed.xml", conditional_feed(rss()))
    make_feed(chief)
    with django_capture_on_commit_callbacks(execute=True):
        assert tick() == {"polls": 1, "licences": 0}
    job = Job.objects.get(name="wire.poll")
    assert job.status == Job.Status.SUCCEEDED and "3 new" in job.result


@pytest.mark.django_db
def test_a_failing_feed_backs_off_and_shows_in_the_desk(
    feed_server, chief, admin_client, time_machine
):
    feed_server.route("/feed.xml", (500, {}, b"oops"))
    feed = make_feed(chief, interval=10)
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    for _ in range(3):
        run = polling.poll_feed(feed.pk)
    feed.refresh_from_db()
    assert run.outcome == PollRun.Outcome.FAILED and "HTTP 500" in run.error
    assert feed.failures == 3 and feed.failing
    assert feed.next_poll_at == now + timedelta(minutes=10 * 2**3)
    page = admin_client.get("/admin/wire/wirefeed/").content.decode()
    assert "failing: 3 in a row" in page
    assert (
        "HTTP 500" in admin_client.get(f"/admin/wire/wirefeed/{feed.pk}/change/").content.decode()
    )
    feed_server.route("/feed.xml", (200, {"Content-Type": "application/rss+xml"}, rss()))
    polling.poll_feed(feed.pk)
    feed.refresh_from_db()
    assert feed.failures == 0 and feed.next_poll_at == now + timedelta(minutes=10)


@pytest.mark.django_db
def test_an_internal_address_is_refused_as_for_any_import(chief):
    feed = make_feed(chief)
    WireFeed.objects.filter(pk=feed.pk).update(url="http://127.0.0.1:9/feed.xml")
    run = polling.poll_feed(feed.pk)
    assert run.outcome == PollRun.Outcome.FAILED and "loopback" in run.error
    assert Article.objects.count() == 0
