"""The admin import page (articles/ingest/admin_views.py)."""

import socket
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from articles.ingest import admin_views
from articles.models import Article
from tests.factories import make_source, make_topic

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
IMPORT_URL = "/admin/articles/article/import/"


def upload(name):
    return SimpleUploadedFile(name, (DATA / name).read_bytes())


def staff_client(*permissions):
    user = get_user_model().objects.create_user("desk", password="x", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="articles", codename__in=permissions)
    )
    client = Client()
    client.force_login(user)
    return client, user


def test_import_url_is_named():
    assert reverse("admin:articles_article_import") == IMPORT_URL


def test_anonymous_users_are_sent_to_the_login_page():
    response = Client().get(IMPORT_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    response = Client().post(IMPORT_URL, {"file": upload("feed_50.xml")})
    assert response.status_code == 302
    assert Article.objects.count() == 0


def test_staff_without_add_and_change_permission_is_refused():
    client, _ = staff_client("view_article", "add_article")
    assert client.get(IMPORT_URL).status_code == 403
    assert client.post(IMPORT_URL, {"file": upload("feed_50.xml")}).status_code == 403
    assert Article.objects.count() == 0


def test_change_list_links_to_the_import_page(admin_client):
    response = admin_client.get(reverse("admin:articles_article_changelist"))
    assert IMPORT_URL in response.content.decode()


def test_change_list_hides_the_link_without_permission():
    client, _ = staff_client("view_article")
    response = client.get(reverse("admin:articles_article_changelist"))
    assert response.status_code == 200
    assert IMPORT_URL not in response.content.decode()


def test_form_page(admin_client):
    response = admin_client.get(IMPORT_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'name="file"' in page and 'name="url"' in page


def test_uploading_a_feed_shows_the_summary_and_creates_drafts():
    client, user = staff_client("view_article", "add_article", "change_article")
    # Feeds name no topic of ours: a user who may not create topics chooses one.
    inbox = make_topic("收件箱")
    response = client.post(
        IMPORT_URL, {"file": upload("feed_50.xml"), "format": "auto", "topic": inbox.pk}
    )
    assert response.status_code == 200
    summary = response.context["summary"]
    assert (summary.created, summary.updated, summary.skipped, summary.failed) == (50, 0, 0, 0)
    page = response.content.decode()
    assert '<td class="created">50</td>' in page
    assert "status__exact=draft" in page  # the way to the review queue
    assert Article.objects.filter(status=Article.Status.DRAFT).count() == 50
    assert set(Article.objects.values_list("created_by", flat=True)) == {user.pk}

    response = client.post(
        IMPORT_URL, {"file": upload("feed_50.xml"), "format": "auto", "topic": inbox.pk}
    )
    summary = response.context["summary"]
    assert (summary.created, summary.skipped) == (0, 50)
    assert Article.objects.count() == 50


def test_topic_source_and_publish_options(admin_client):
    topic, source = make_topic("科技前沿"), make_source("新华社")
    response = admin_client.post(
        IMPORT_URL,
        {
            "file": upload("feed_atom.xml"),
            "format": "feed",
            "topic": topic.pk,
            "source": source.pk,
            "publish": "on",
        },
    )
    assert response.context["summary"].created == 2
    assert set(Article.objects.values_list("topic", "source", "status")) == {
        (topic.pk, source.pk, Article.Status.PUBLISHED)
    }


def test_failures_are_listed(admin_client):
    response = admin_client.post(
        IMPORT_URL, {"file": upload("truncated.jsonl")}, HTTP_ACCEPT_LANGUAGE="en"
    )
    summary = response.context["summary"]
    assert (summary.created, summary.failed) == (2, 1)
    page = response.content.decode()
    assert "truncated.jsonl:3: invalid JSON" in page
    # The same line on the Chinese desk (articles/ingest/messages.py).
    response = admin_client.post(
        IMPORT_URL, {"file": upload("truncated.jsonl")}, HTTP_ACCEPT_LANGUAGE="zh-CN"
    )
    page = response.content.decode()
    assert "truncated.jsonl:3: JSON 无效:" in page and "invalid JSON" not in page


def test_strict_upload_writes_nothing(admin_client):
    response = admin_client.post(
        IMPORT_URL,
        {"file": upload("truncated.jsonl"), "strict": "on"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.context["summary"].aborted
    assert "nothing was written" in response.content.decode()
    assert Article.objects.count() == 0


def test_billion_laughs_upload_is_refused(admin_client):
    response = admin_client.post(
        IMPORT_URL, {"file": upload("billion_laughs.xml")}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "billion laughs" in response.content.decode()
    response = admin_client.post(
        IMPORT_URL, {"file": upload("billion_laughs.xml")}, HTTP_ACCEPT_LANGUAGE="zh-CN"
    )
    assert "十亿笑声" in response.content.decode()
    assert Article.objects.count() == 0


def test_feed_url_on_loopback_is_refused(admin_client, monkeypatch):
    def no_connection(*args, **kwargs):
        raise AssertionError("no connection may be attempted")

    monkeypatch.setattr(socket, "create_connection", no_connection)
    response = admin_client.post(
        IMPORT_URL, {"url": "http://127.0.0.1:8000/feed.xml"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    summary = response.context["summary"]
    assert summary.failed == 1
    assert "refused: 127.0.0.1 is a loopback address" in response.content.decode()
    response = admin_client.post(
        IMPORT_URL, {"url": "http://127.0.0.1:8000/feed.xml"}, HTTP_ACCEPT_LANGUAGE="zh-CN"
    )
    assert "已拒绝:127.0.0.1 是 loopback 地址" in response.content.decode()


def test_a_file_or_a_url_is_required(admin_client):
    response = admin_client.post(IMPORT_URL, {"format": "auto"})
    assert response.context["summary"] is None
    assert response.context["form"].non_field_errors()
    response = admin_client.post(
        IMPORT_URL, {"file": upload("feed_50.xml"), "url": "https://wire.example.com/feed.xml"}
    )
    assert response.context["summary"] is None
    assert response.context["form"].non_field_errors()
    assert Article.objects.count() == 0


def test_uploads_over_the_limit_are_refused(admin_client, monkeypatch):
    monkeypatch.setattr(admin_views, "MAX_UPLOAD_BYTES", 1000)
    response = admin_client.post(IMPORT_URL, {"file": upload("feed_50.xml")})
    assert response.context["summary"] is None
    assert response.context["form"].errors["file"]
    assert Article.objects.count() == 0


def test_users_who_may_not_publish_import_drafts_only():
    client, _ = staff_client("view_article", "add_article", "change_article")
    # Named by the file; this user may not create topics or sources.
    make_topic("业界新闻"), make_topic("市场观察"), make_source("新华社")
    page = client.get(IMPORT_URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "You may not publish" in page
    chinese = client.get(IMPORT_URL, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "您没有发布权限" in chinese
    response = client.post(IMPORT_URL, {"file": upload("articles.jsonl"), "publish": "on"})
    assert response.context["summary"].created == 2
    # The JSON lines say "published" and "draft": both land as drafts.
    assert set(Article.objects.values_list("status", flat=True)) == {Article.Status.DRAFT}


def test_users_who_may_publish_keep_json_statuses():
    client, _ = staff_client("view_article", "add_article", "change_article", "publish_article")
    make_topic("业界新闻"), make_topic("市场观察"), make_source("新华社")
    client.post(IMPORT_URL, {"file": upload("articles.jsonl")})
    assert sorted(Article.objects.values_list("status", flat=True)) == ["draft", "published"]
