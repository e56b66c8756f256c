"""
The importer is a client of the workflow: an import changes only what the
importing user could change in the desk, through the same rules, on the
record. (Issue: a writer rewrote, re-dated and hid published articles
through the import page.)
"""

import io
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from reversion.models import Version

from articles import workflow
from articles.ingest.importer import import_documents
from articles.ingest.sources import StreamDocument
from articles.models import BODY_MAX_LENGTH, Article, ArticleEvent, Source, Topic
from tests.factories import make_article, make_source, make_user

pytestmark = pytest.mark.django_db

S = Article.Status
SHANGHAI = ZoneInfo("Asia/Shanghai")


def import_text(name, text, **options):
    return import_documents([StreamDocument(name, io.BytesIO(text.encode()))], **options)


def jsonl(*records):
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def feed(link, title="改写的标题", body="<p>改写的正文</p>"):
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>外站</title><link>https://example.com/</link><description>x</description>
<item><title>{title}</title><link>{link}</link>
<pubDate>Wed, 01 Jan 2035 00:00:00 +0000</pubDate>
<content:encoded><![CDATA[{body}]]></content:encoded></item>
</channel></rss>"""


@pytest.fixture(autouse=True)
def _english():
    """Summaries are read in English here (the site's language is Chinese)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def published(topic):
    return make_article(
        topic=topic,
        title="已发布的报道",
        body="<p>原文</p>",
        source_url="https://example.com/original",
        published_at=timezone.now() - timedelta(days=3),
    )


def line_for(article, **fields):
    base = {
        "uuid": str(article.uuid),
        "title": article.title,
        "standfirst": article.standfirst,
        "body": article.body,
        "topic": article.topic.name,
        "tags": [],
        "published_at": article.published_at and article.published_at.isoformat(),
        "status": article.status,
    }
    return {**base, **fields}


def unchanged(article):
    before = (article.title, article.body, article.published_at, article.status, article.version)
    article.refresh_from_db()
    after = (article.title, article.body, article.published_at, article.status, article.version)
    return before == after


# Published articles -----------------------------------------------------------------


def test_writer_cannot_rewrite_or_redate_a_published_article_by_uuid(published):
    writer = make_user("writer")
    events = ArticleEvent.objects.count()
    line = line_for(
        published, title="被改写", body="<p>假消息</p>", published_at="2035-01-01T00:00:00+08:00"
    )
    summary = import_text("attack.jsonl", jsonl(line), user=writer)
    assert (summary.created, summary.updated, summary.skipped) == (0, 0, 1)
    assert "published" in str(summary.notices[0])
    assert unchanged(published)
    assert ArticleEvent.objects.count() == events
    assert Article.objects.published().filter(pk=published.pk).exists()


def test_writer_cannot_rewrite_a_published_article_by_its_original_url(published):
    writer = make_user("writer")
    summary = import_text(
        "wire.xml", feed(published.source_url), user=writer, topic=published.topic.name
    )
    assert (summary.created, summary.updated, summary.skipped) == (0, 0, 1)
    assert unchanged(published)


def test_editor_without_publish_permission_gets_a_working_copy(published):
    reviewer = make_user("editor", "reviewer")
    reviewer.groups.clear()
    from django.contrib.auth.models import Permission

    reviewer.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["add_article", "change_article", "view_article", "review_article"]
        )
    )
    summary = import_text(
        "wire.xml", feed(published.source_url, title="更正后的标题"), user=reviewer
    )
    assert (summary.updated, summary.copies) == (0, 1)
    assert "working copy" in str(summary.notices[0])
    assert unchanged(published)
    copy = published.working_copies.get()
    assert copy.title == "更正后的标题" and copy.status == S.DRAFT
    assert Version.objects.get_for_object(copy).count() >= 2  # created, then the import
    assert copy.events.filter(action="edit", actor=reviewer).exists()


def test_publisher_updates_in_place_with_a_revision_and_an_event(published):
    editor = make_user("editor")
    versions = Version.objects.get_for_object(published).count()
    summary = import_text("wire.xml", feed(published.source_url, title="通稿更新"), user=editor)
    assert summary.updated == 1
    published.refresh_from_db()
    assert published.title == "通稿更新"
    assert Version.objects.get_for_object(published).count() == versions + 1
    event = published.events.order_by("-pk").first()
    assert (event.action, event.actor, event.note) == (
        "publish_edit",
        editor,
        "Imported from wire.xml entry 1",
    )


# Status and publication times ------------------------------------------------------------


def test_reimporting_an_archive_never_republishes_an_unpublished_article(published):
    editor, chief = make_user("editor"), make_user("chief")
    archive = jsonl(line_for(published))
    workflow.unpublish(published, by=editor, note="法律原因")
    summary = import_text("archive.jsonl", archive, user=editor)
    published.refresh_from_db()
    assert published.status == S.UNPUBLISHED
    assert "stays unpublished" in str(summary.notices[0])
    # Also not by the operator without the explicit option ...
    import_text("archive.jsonl", archive)
    published.refresh_from_db()
    assert published.status == S.UNPUBLISHED
    # ... which only a chief editor may use.
    with pytest.raises(PermissionDenied):
        import_text("archive.jsonl", archive, user=editor, reverse_takedowns=True)
    import_text("archive.jsonl", archive, user=chief, reverse_takedowns=True)
    published.refresh_from_db()
    assert published.status == S.PUBLISHED
    assert published.events.order_by("-pk").first().actor == chief


def test_reimporting_never_restores_a_trashed_article_without_the_option(published):
    editor, chief = make_user("editor"), make_user("chief")
    archive = jsonl(line_for(published, body="<p>档案</p>"))
    workflow.trash(published, by=editor)
    summary = import_text("archive.jsonl", archive, user=chief)
    assert summary.skipped == 1 and "trash" in str(summary.notices[0])
    published.refresh_from_db()
    assert published.deleted_at is not None
    summary = import_text("archive.jsonl", archive, user=chief, reverse_takedowns=True)
    published.refresh_from_db()
    assert published.deleted_at is None and published.body == "<p>档案</p>"
    assert published.events.filter(action="restore", actor=chief).exists()


def test_an_empty_expiry_never_clears_one_an_editor_set(published):
    editor = make_user("editor")
    expiry = timezone.now() + timedelta(days=30)
    workflow.unpublish(published, by=editor)
    workflow.publish(published, by=editor, expires_at=expiry)
    import_text(
        "archive.jsonl", jsonl(line_for(published, expires_at=None, body="<p>新</p>")), user=editor
    )
    published.refresh_from_db()
    assert published.body == "<p>新</p>"
    assert published.expires_at == expiry


def test_a_writer_cannot_move_publication_times_or_feature_a_draft(topic):
    writer = make_user("writer")
    draft = make_article(topic=topic, status=S.DRAFT, published_at=None, created_by=writer)
    line = line_for(
        draft,
        status="draft",
        published_at="2035-01-01T00:00:00+08:00",
        featured=True,
        body="<p>改</p>",
    )
    line["published_at"] = "2035-01-01T00:00:00+08:00"
    import_text("mine.jsonl", jsonl(line), user=writer)
    draft.refresh_from_db()
    assert draft.body == "<p>改</p>"  # their own draft: the text may change
    assert draft.published_at is None and draft.featured is False


def test_editing_an_approved_article_by_import_sends_it_back_to_review(topic):
    editor = make_user("editor")
    article = make_article(topic=topic, status=S.APPROVED, published_at=None)
    summary = import_text(
        "x.jsonl",
        jsonl(line_for(article, status="approved", body="<p>改过</p>") | {"published_at": None}),
        user=editor,
    )
    article.refresh_from_db()
    assert (article.status, article.body) == (S.REVIEW, "<p>改过</p>")
    assert "back to review" in str(summary.notices[0])


def test_new_articles_start_in_a_state_the_user_may_create(topic):
    writer, editor = make_user("writer"), make_user("editor")
    lines = [
        {
            "title": f"{status}稿件",
            "topic": topic.name,
            "status": status,
            "published_at": "2025-03-01T09:00:00+08:00",
        }
        for status in ("published", "approved", "review", "draft")
    ]
    summary = import_text("w.jsonl", jsonl(*lines), user=writer)
    assert summary.created == 4
    # A writer may submit their own copy; nothing further.
    assert sorted(Article.objects.values_list("status", flat=True)) == [S.DRAFT] * 3 + [S.REVIEW]
    assert len(summary.notices) == 2  # each refused state is named
    Article.objects.all().delete()
    import_text("e.jsonl", jsonl(*lines), user=editor)
    assert sorted(Article.objects.values_list("status", flat=True)) == sorted(
        ["published", "approved", "review", "draft"]
    )
    new = Article.objects.get(status="published")
    assert new.first_published_at == new.published_at
    assert list(new.events.order_by("pk").values_list("action", flat=True)) == ["create", "publish"]


# Topics and sources ----------------------------------------------------------------------


def test_unknown_topics_and_sources_are_an_error_for_a_writer(topic):
    writer = make_user("writer")
    lines = [
        {"title": "编造的栏目", "topic": "黑客栏目", "published_at": None},
        {"title": "编造的来源", "topic": topic.name, "source": "假通讯社"},
        {"title": "正常的稿件", "topic": topic.name},
    ]
    summary = import_text("w.jsonl", jsonl(*lines), user=writer)
    assert (summary.created, summary.failed) == (1, 2)
    assert "黑客栏目" in str(summary.failures[0]) and "假通讯社" in str(summary.failures[1])
    assert not Topic.objects.filter(name="黑客栏目").exists()
    assert not Source.objects.filter(name="假通讯社").exists()


def test_unknown_topics_map_to_the_topic_the_writer_chose(topic):
    writer = make_user("writer")
    summary = import_text("w.xml", feed("https://example.com/new"), user=writer, topic=topic.name)
    assert summary.created == 1
    assert Article.objects.get().topic == topic
    summary = import_text(
        "w.jsonl", jsonl({"title": "另一篇", "topic": "黑客栏目"}), user=writer, topic=topic.name
    )
    assert summary.created == 1 and not Topic.objects.filter(name="黑客栏目").exists()


def test_a_chief_editor_may_create_topics_and_sources_by_import():
    chief = make_user("chief")
    import_text(
        "c.jsonl", jsonl({"title": "新栏目稿件", "topic": "新栏目", "source": "新来源"}), user=chief
    )
    assert (
        Topic.objects.filter(name="新栏目").exists()
        and Source.objects.filter(name="新来源").exists()
    )


# On the record and within limits ------------------------------------------------------------


def test_created_and_updated_articles_get_revisions(topic):
    editor = make_user("editor")
    make_source("新华社")
    line = {
        "title": "有版本的稿件",
        "topic": topic.name,
        "source_url": "https://example.com/v",
        "status": "draft",
    }
    import_text("v.jsonl", jsonl(line), user=editor)
    article = Article.objects.get()
    assert Version.objects.get_for_object(article).count() == 1
    import_text("v.jsonl", jsonl({**line, "body": "<p>第二版</p>", "tags": ["芯片"]}), user=editor)
    versions = Version.objects.get_for_object(article).order_by("pk")
    assert versions.count() == 2
    latest = versions.last()
    assert latest.field_dict["body"] == "<p>第二版</p>"
    assert workflow.version_tag_ids(latest)  # the tag links are in the revision
    assert latest.revision.user == editor


def test_bodies_over_the_limit_are_refused_per_item(topic):
    lines = [
        {"title": "太长", "topic": topic.name, "body": "<p>" + "字" * BODY_MAX_LENGTH + "</p>"},
        {"title": "正常", "topic": topic.name, "body": "<p>短</p>"},
    ]
    summary = import_text("big.jsonl", jsonl(*lines))
    assert (summary.created, summary.failed) == (1, 1)
    assert "too long" in str(summary.failures[0])


def test_tag_names_are_normalized_once_everywhere(topic):
    import_text(
        "t.jsonl",
        jsonl(
            {"title": "标签", "topic": topic.name, "tags": ["国际\x0b合作", "芯片\u200b", "ＡＩ"]}
        ),
    )
    article = Article.objects.get()
    assert sorted(article.tags.names()) == sorted(["国际合作", "芯片", "AI"])
    article.tags.add("芯片\u200b", "国际\u2060合作")
    assert article.tags.count() == 3


def test_dates_in_the_file_never_reach_the_public_record_of_a_writers_draft(topic):
    """A writer's new article that says published in 2035 is a draft with that proposed time."""
    writer = make_user("writer")
    import_text(
        "w.jsonl",
        jsonl({"title": "未来", "topic": topic.name, "published_at": "2035-01-01T00:00:00+08:00"}),
        user=writer,
    )
    article = Article.objects.get()
    assert article.status == S.DRAFT and article.first_published_at is None
    assert article.published_at == datetime(2035, 1, 1, tzinfo=SHANGHAI)
    assert not Article.objects.published().exists()


# Damaged input --------------------------------------------------------------------------------


def test_a_few_bad_bytes_in_utf8_are_reported_not_read_as_another_charset():
    """Was: one invalid byte made the file a Cyrillic code page, and the topic дёљз•Њж–°й—»."""
    line = json.dumps(
        {
            "title": "人工智能产业观察",
            "topic": "业界新闻",
            "body": "<p>" + "正文内容" * 30 + "</p>",
        },
        ensure_ascii=False,
    ).encode()
    data = line + b"\n" + line.replace("观察".encode(), b"\xff\xfe") + b"\n"
    summary = import_documents([StreamDocument("bad.jsonl", io.BytesIO(data))])
    assert summary.created == 2
    assert set(Topic.objects.values_list("name", flat=True)) == {"业界新闻"}
    assert [n.origin for n in summary.notices] == ["bad.jsonl:2"]
    assert "invalid UTF-8" in summary.notices[0].message


def test_a_damaged_utf8_reprint_page_is_read_as_utf8_with_the_line_named():
    from pathlib import Path

    seed = (Path(__file__).parent / "data" / "seed_renmin_ribao.txt").read_bytes()
    lines = seed.split(b"\n")
    lines[5] = lines[5][:9] + b"\xc3" + lines[5][9:]  # one stray byte in line 6
    summary = import_documents([StreamDocument("page.txt", io.BytesIO(b"\n".join(lines)))])
    assert summary.created == 1 and not summary.failures
    assert Article.objects.get().topic.name == "业界新闻"
    # The damaged line is named (the other notices are the cleaning's: glosses, spun copy).
    assert [n.origin for n in summary.notices if "U+FFFD" in n.message] == ["page.txt:6"]
