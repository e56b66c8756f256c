"""
Security checklist: the admin import page, role by role, with crafted POSTs.

An import may only change what the importing user could change through the
desk (articles.ingest.importer); fields the form does not offer a role
(publish, reverse_takedowns) are ignored when posted by hand.
"""

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles import workflow
from articles.models import Article, Topic
from tests.factories import make_article, make_topic, make_user

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:articles_article_import")
S = Article.Status


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def attack_file(article):
    """A JSON Lines file that tries to rewrite, re-date and re-topic a published article."""
    line = {
        "uuid": str(article.uuid),
        "title": "被篡改的标题",
        "body": "<p>假消息</p>",
        "topic": "编造的栏目",
        "published_at": "2035-01-01T00:00:00+08:00",
        "status": "published",
        "featured": True,
    }
    return SimpleUploadedFile(
        "attack.jsonl", (json.dumps(line, ensure_ascii=False) + "\n").encode()
    )


@pytest.fixture
def published(db):
    topic = make_topic("业界新闻")
    return make_article(
        topic=topic,
        title="真实报道",
        body="<p>原文</p>",
        published_at=timezone.now() - timedelta(days=1),
    )


ROLES = ["anonymous", "staff_without_role", "writer", "editor", "chief"]


@pytest.mark.parametrize("role", ROLES)
def test_no_role_rewrites_a_published_article_it_may_not_edit_in_the_desk(role, published):
    user = (
        None
        if role == "anonymous"
        else make_user(role if role != "staff_without_role" else "none", role)
    )
    before = (published.title, published.body, published.published_at, published.version)
    versions = Version.objects.get_for_object(published).count()
    response = client_for(user).post(
        IMPORT_URL,
        # Crafted: options the page does not offer writers.
        {"file": attack_file(published), "publish": "on", "reverse_takedowns": "on"},
    )
    published.refresh_from_db()
    after = (published.title, published.body, published.published_at, published.version)
    if role == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
    elif role == "staff_without_role":
        assert response.status_code == 403
    elif role == "writer":
        assert response.status_code == 200
        summary = response.context["summary"]
        assert (summary.updated, summary.created) == (0, 0)
        assert after == before
        assert not Topic.objects.filter(name="编造的栏目").exists()
    elif role == "editor":
        # May publish, but may not create the made-up topic: the item fails, nothing changes.
        assert response.status_code == 200
        assert response.context["summary"].failed == 1
        assert after == before
    else:
        # The chief may publish and add topics, so updates in place: on the record.
        assert response.status_code == 200
        assert published.title == "被篡改的标题"
        assert Version.objects.get_for_object(published).count() == versions + 1
        assert published.events.order_by("-pk").first().action == "publish_edit"
    assert Article.objects.count() == 1
    if role in ("anonymous", "staff_without_role", "writer", "editor"):
        assert after == before
        assert Article.objects.published().filter(pk=published.pk).exists()


@pytest.mark.parametrize("role", ["writer", "editor"])
def test_reverse_takedowns_posted_by_hand_is_ignored_below_chief(role, published):
    user = make_user(role)
    editor = make_user("editor", "desk-editor")
    workflow.unpublish(published, by=editor, note="法律原因")
    line = {
        "uuid": str(published.uuid),
        "title": published.title,
        "topic": "业界新闻",
        "status": "published",
    }
    upload = SimpleUploadedFile("a.jsonl", (json.dumps(line, ensure_ascii=False) + "\n").encode())
    response = client_for(user).post(IMPORT_URL, {"file": upload, "reverse_takedowns": "on"})
    assert response.status_code == 200
    published.refresh_from_db()
    assert published.status == S.UNPUBLISHED


def test_the_chief_sees_and_may_use_reverse_takedowns(published):
    chief, editor = make_user("chief"), make_user("editor")
    assert 'name="reverse_takedowns"' in client_for(chief).get(IMPORT_URL).content.decode()
    assert 'name="reverse_takedowns"' not in client_for(editor).get(IMPORT_URL).content.decode()
    workflow.unpublish(published, by=editor)
    line = {
        "uuid": str(published.uuid),
        "title": published.title,
        "topic": "业界新闻",
        "status": "published",
    }
    upload = SimpleUploadedFile("a.jsonl", (json.dumps(line, ensure_ascii=False) + "\n").encode())
    client_for(chief).post(IMPORT_URL, {"file": upload, "reverse_takedowns": "on"})
    published.refresh_from_db()
    assert published.status == S.PUBLISHED
