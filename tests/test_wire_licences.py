"""
Reprint licences: when a source's licence ends, its articles leave every
public page at that moment (the publication rule), cached pages included
(the content epoch ends then), and a job unpublishes them through the
workflow with an event naming the licence. The desk lists licences ending
within 30 days.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from articles.models import Article, ArticleEvent
from tests.factories import ensure_roles, make_article, make_source, make_topic, make_user
from wire.licences import enforce_licences, expiring

S = Article.Status


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read the desk's English texts (the site's default language is Chinese)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def licensed(db):
    topic = make_topic("要闻")
    source = make_source("新华社", licence_reference="转载协议 XH-2024-17")
    reprint = make_article(title="新华社稿件：春耕备耕有序推进", topic=topic, source=source)
    own = make_article(title="本站原创：春耕一线见闻", topic=topic)
    return source, reprint, own


def home(client):
    response = client.get("/")
    return response, response.content.decode()


@pytest.mark.django_db
def test_licence_end_removes_reprints_at_that_moment_and_the_page_cache_follows(
    licensed, settings, time_machine
):
    settings.PAGE_CACHE = True
    source, reprint, own = licensed
    now = timezone.now()
    ends = now + timedelta(seconds=30)  # within the cache's keep (PAGE_CACHE_SECONDS)
    source.licence_ends_at = ends
    source.save()
    time_machine.move_to(now, tick=False)
    reader = Client()
    first, page = home(reader)
    assert first["X-Page-Cache"] == "miss" and reprint.title in page
    time_machine.move_to(ends - timedelta(microseconds=1), tick=False)
    cached, page = home(reader)
    assert cached["X-Page-Cache"] == "hit" and reprint.title in page
    assert reader.get(reprint.get_absolute_url()).status_code == 200

    time_machine.move_to(ends, tick=False)
    after, page = home(reader)
    assert after["X-Page-Cache"] == "miss"  # the epoch ended with the licence
    assert reprint.title not in page and own.title in page
    assert reader.get(reprint.get_absolute_url()).status_code == 404
    assert reprint.title not in reader.get("/feeds/rss/").content.decode()
    assert reprint.title not in reader.get("/feeds/json/").content.decode()
    assert reader.get("/search/?q=春耕").content.decode().count(reprint.title) == 0
    assert list(Article.objects.published()) == [own]


@pytest.mark.django_db
def test_ended_licence_unpublishes_through_the_workflow_naming_the_licence(
    licensed, time_machine, django_capture_on_commit_callbacks
):
    source, reprint, own = licensed
    ends = timezone.now() + timedelta(minutes=5)
    source.licence_ends_at = ends
    source.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert enforce_licences() == []  # not yet
    time_machine.move_to(ends + timedelta(seconds=30), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        jobs = enforce_licences()
    assert len(jobs) == 1
    reprint.refresh_from_db()
    own.refresh_from_db()
    assert reprint.status == S.UNPUBLISHED and own.status == S.PUBLISHED
    event = reprint.events.get(action=ArticleEvent.Action.UNPUBLISH)
    assert "reprint licence of 新华社 ended" in event.note
    assert "转载协议 XH-2024-17" in event.note
    assert event.actor is None  # the system, not a person
    with django_capture_on_commit_callbacks(execute=True):
        assert enforce_licences() == []  # nothing left to unpublish


@pytest.mark.django_db
def test_a_renewed_licence_keeps_the_articles(
    licensed, time_machine, django_capture_on_commit_callbacks
):
    source, reprint, _own = licensed
    ends = timezone.now() + timedelta(minutes=5)
    source.licence_ends_at = ends
    source.save()
    time_machine.move_to(ends + timedelta(seconds=1), tick=False)
    assert reprint not in Article.objects.published()
    source.licence_ends_at = ends + timedelta(days=365)
    source.save()
    assert reprint in Article.objects.published()
    with django_capture_on_commit_callbacks(execute=True):
        assert enforce_licences() == []
    reprint.refresh_from_db()
    assert reprint.status == S.PUBLISHED


@pytest.mark.django_db
def test_the_desk_lists_licences_ending_within_30_days(client):
    ensure_roles()
    now = timezone.now()
    soon = make_source("路透社", licence_ends_at=now + timedelta(days=12))
    later = make_source("美联社", licence_ends_at=now + timedelta(days=45))
    ended = make_source("法新社", licence_ends_at=now - timedelta(days=1))
    assert list(expiring()) == [soon]
    client.force_login(make_user("chief", "zongbian"))
    page = client.get("/admin/wire/licence/").content.decode()
    assert soon.name in page and later.name not in page and ended.name not in page
    assert "12 days" in page or "11 days" in page
    everything = client.get("/admin/wire/licence/?ends=ended").content.decode()
    assert ended.name in everything
