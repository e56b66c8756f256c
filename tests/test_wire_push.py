"""
Push on publish (wire/push.py) against local HTTP servers standing in for a
WebSub hub, IndexNow and Baidu: each endpoint hears once per change, failures
are retried, a repeated job pushes nothing twice, scheduled articles are
pushed when they come due.
"""

import json
import urllib.parse
from datetime import timedelta

import pytest
from django.utils import timezone

from articles import workflow
from jobs import api as jobs_api
from jobs.models import Job
from tests.factories import ensure_roles, make_article, make_topic, make_user
from tests.http_servers import RecordingServer
from wire.models import PushDelivery

S = PushDelivery.Status
OK = (200, {"Content-Type": "application/json"}, b'{"success":1,"remain":99}')


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read the desk's English texts (the site's default language is Chinese)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def endpoints(settings):
    server = RecordingServer()
    server.route("/hub", (204, {}, b""))
    server.route("/indexnow", (200, {}, b""))
    for action in ("urls", "update", "del"):
        server.route(f"/{action}", OK)
    settings.SITE_URL = "https://news.example.com"
    settings.WEBSUB_HUB_URLS = [f"{server.url}/hub"]
    settings.INDEXNOW_KEY = "a1b2c3d4e5f6"
    settings.INDEXNOW_ENDPOINT = f"{server.url}/indexnow"
    settings.BAIDU_PUSH_TOKEN = "baidu-token"
    settings.BAIDU_PUSH_ENDPOINT = server.url
    yield server
    server.close()


@pytest.fixture
def editor(db):
    ensure_roles()
    return make_user("editor", "bianji")


@pytest.fixture
def draft(db):
    article = make_article(
        title="储能电站并网投运",
        status="draft",
        published_at=None,
        topic=make_topic("能源"),
        tags=["储能"],
    )
    return article


def url_of(article):
    return f"https://news.example.com{article.get_absolute_url()}"


@pytest.mark.django_db
def test_publishing_notifies_each_endpoint_once(
    endpoints, editor, draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(draft, by=editor)
    (hub,) = endpoints.hits("/hub")
    form = urllib.parse.parse_qs(hub.body.decode())
    assert form["hub.mode"] == ["publish"]
    assert "https://news.example.com/feeds/rss/" in form["hub.url"]
    assert f"https://news.example.com/topics/{draft.topic.slug}/atom/" in form["hub.url"]
    assert any(url.endswith("/json/") and "/tags/" in url for url in form["hub.url"])
    (indexnow,) = endpoints.hits("/indexnow")
    payload = json.loads(indexnow.body)
    assert payload == {
        "host": "news.example.com",
        "key": "a1b2c3d4e5f6",
        "keyLocation": "https://news.example.com/a1b2c3d4e5f6.txt",
        "urlList": [url_of(draft)],
    }
    (baidu,) = endpoints.hits("/urls")
    assert baidu.path == "/urls?site=https%3A%2F%2Fnews.example.com&token=baidu-token"
    assert baidu.body.decode() == url_of(draft)
    deliveries = PushDelivery.objects.filter(article=draft)
    assert sorted(d.endpoint for d in deliveries) == ["baidu", "indexnow", "websub"]
    assert {d.status for d in deliveries} == {S.DELIVERED}
    assert {d.response_status for d in deliveries} == {200, 204}


@pytest.mark.django_db
def test_a_failed_push_is_retried_and_a_repeated_job_pushes_nothing_twice(
    endpoints, editor, draft, django_capture_on_commit_callbacks
):
    endpoints.route("/indexnow", (503, {}, b"busy"), (200, {}, b""))
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(draft, by=editor)
    assert len(endpoints.hits("/indexnow")) == 2  # failed once, then delivered
    assert len(endpoints.hits("/hub")) == len(endpoints.hits("/urls")) == 1
    delivery = PushDelivery.objects.get(endpoint="indexnow")
    assert (delivery.status, delivery.attempts, delivery.response_status) == (S.DELIVERED, 2, 200)
    job = Job.objects.get(key__startswith="push:indexnow")
    assert job.status == Job.Status.SUCCEEDED and job.attempts == 2
    assert "503" in job.history[0]["error"]
    # The same jobs delivered again (a worker restart, a duplicate message):
    for job in Job.objects.filter(name="wire.push"):
        Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED)
        jobs_api.execute(job.pk)
    assert len(endpoints.hits("/indexnow")) == 2 and len(endpoints.hits("/hub")) == 1


@pytest.mark.django_db
def test_a_refusal_is_not_retried(endpoints, editor, draft, django_capture_on_commit_callbacks):
    endpoints.route("/indexnow", (403, {}, b"key not valid"))
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(draft, by=editor)
    assert len(endpoints.hits("/indexnow")) == 1
    delivery = PushDelivery.objects.get(endpoint="indexnow")
    assert delivery.status == S.FAILED and delivery.response == "403 key not valid"


@pytest.mark.django_db
def test_corrections_and_takedowns_are_pushed_as_updates_and_removals(
    endpoints, editor, draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(draft, by=editor)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.add_correction(draft, by=editor, text="更正：装机容量为100兆瓦。")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.unpublish(draft, by=editor)
    assert [r.body.decode() for r in endpoints.hits("/update")] == [url_of(draft)]
    assert [r.body.decode() for r in endpoints.hits("/del")] == [url_of(draft)]
    assert len(endpoints.hits("/indexnow")) == 3 and len(endpoints.hits("/hub")) == 3
    changes = sorted(PushDelivery.objects.filter(endpoint="baidu").values_list("change", flat=True))
    assert changes == ["published", "removed", "updated"]


@pytest.mark.django_db
def test_a_scheduled_article_is_pushed_when_it_comes_due(
    endpoints, editor, draft, time_machine, django_capture_on_commit_callbacks
):
    due = timezone.now() + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(draft, by=editor, at=due)
    assert endpoints.requests == []
    assert jobs_api.dispatch_due() == 0
    time_machine.move_to(due + timedelta(seconds=5), tick=False)
    assert jobs_api.dispatch_due() == 3
    assert (
        len(endpoints.hits("/urls"))
        == len(endpoints.hits("/indexnow"))
        == len(endpoints.hits("/hub"))
        == 1
    )


@pytest.mark.django_db
def test_nothing_is_pushed_without_endpoints(editor, draft, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(draft, by=editor)
    assert not PushDelivery.objects.exists() and not Job.objects.filter(name="wire.push").exists()


@pytest.mark.django_db
def test_indexnow_key_file_is_served_at_the_root(endpoints, client):
    response = client.get("/a1b2c3d4e5f6.txt")
    assert response.status_code == 200 and response.content == b"a1b2c3d4e5f6"
    assert response["Content-Type"].startswith("text/plain")
    assert client.get("/a1b2c3d4e5f7.txt").status_code == 404
    assert client.get("/robots.txt").status_code == 200


@pytest.mark.django_db
def test_feeds_name_their_websub_hub(endpoints, client, draft):
    import xml.etree.ElementTree as ET

    atom = "{http://www.w3.org/2005/Atom}"
    hub = f"{endpoints.url}/hub"
    rss = ET.fromstring(client.get("/feeds/rss/").content)
    assert [e.get("href") for e in rss.iter(f"{atom}link") if e.get("rel") == "hub"] == [hub]
    feed = ET.fromstring(client.get("/feeds/atom/").content)
    assert [e.get("href") for e in feed.findall(f"{atom}link") if e.get("rel") == "hub"] == [hub]
    assert json.loads(client.get("/feeds/json/").content)["hubs"] == [
        {"type": "WebSub", "url": hub}
    ]
