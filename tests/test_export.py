"""
export_articles (articles/ingest/exporter.py) and the round trip: export,
empty the database, import, and get the same articles back. The suite runs
on SQLite and on PostgreSQL (DATABASE_URL), so the round trip is checked on both.
"""

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from articles.models import Article, SlugRedirect, Source, Tag, TaggedArticle, Topic
from tests.factories import make_article, make_source, make_topic

pytestmark = pytest.mark.django_db

S = Article.Status
T0 = datetime(2024, 12, 5, 6, 32, 26, 123456, tzinfo=UTC)


def export(*args, **options):
    out = io.StringIO()
    call_command("export_articles", *args, stdout=out, stderr=io.StringIO(), **options)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def make_archive():
    """Articles in every status, with and without times, sources, tags and renamed slugs."""
    news, policy = make_topic("业界新闻"), make_topic("政策法规")
    people, xinhua = make_source("人民日报"), make_source("新华社")
    make_article(
        title="让世界共享野生智能发展红利(和音)",
        topic=news,
        source=people,
        source_url="http://opinion.people.com.cn/n1/2024/1205/c1003.html",
        published_at=T0,
        tags=["合作", "国际", "建设"],
        body='<p>第一段 &amp; “引号”</p><p><a href="https://example.com/">链接</a></p>',
        byline="和音",
        featured=True,
        featured_order=2,
        pinned_until=T0 + timedelta(days=2),
        seo_title="共享人工智能发展红利",
        meta_description="和音评论。",
    )
    renamed = make_article(
        title="改过名字的文章", topic=policy, published_at=T0 - timedelta(days=3)
    )
    renamed.slug = "renamed-article"
    renamed.save()  # leaves a redirect behind, which the export does not carry
    make_article(title="同名文章", topic=news, published_at=T0 - timedelta(days=1), tags=["AI"])
    make_article(title="同名文章", topic=news, published_at=T0 - timedelta(days=2), tags=["ai2"])
    make_article(
        title="定时发布",
        topic=news,
        published_at=T0 + timedelta(days=400),
        expires_at=T0 + timedelta(days=500),
    )
    for status in [S.DRAFT, S.REVIEW, S.APPROVED, S.UNPUBLISHED]:
        make_article(
            title=f"状态{status}",
            topic=policy,
            status=status,
            published_at=T0 - timedelta(days=1, hours=5),
            source=xinhua,
            tags=["政策"],
        )
    make_article(title="没有时间的草稿", topic=news, status=S.DRAFT, published_at=None)


def snapshot():
    return sorted(
        (
            a.uuid,
            a.title,
            a.slug,
            a.standfirst,
            a.body,
            a.topic.name,
            tuple(sorted(a.tags.names())),
            a.source.name if a.source else None,
            a.source_url,
            a.byline,
            a.published_at,
            a.expires_at,
            a.status,
            a.featured,
            a.featured_order,
            a.pinned_until,
            a.seo_title,
            a.meta_description,
            a.social_title,
        )
        for a in Article.objects.select_related("topic", "source")
    )


def empty_database():
    TaggedArticle.objects.all().delete()
    SlugRedirect.objects.all().delete()
    Article.objects.all().delete()
    Tag.objects.all().delete()
    Topic.objects.all().delete()
    Source.objects.all().delete()


def test_export_then_import_into_an_empty_database_gives_the_same_articles(tmp_path):
    make_archive()
    before = snapshot()
    path = tmp_path / "archive.jsonl"
    err = io.StringIO()
    call_command("export_articles", output=str(path), stdout=io.StringIO(), stderr=err)
    assert f"Exported {len(before)} articles to {path}" in err.getvalue()

    empty_database()
    assert Article.objects.count() == 0
    out = io.StringIO()
    call_command("import_articles", str(path), stdout=out, stderr=io.StringIO())
    assert f"{len(before)} created, 0 updated, 0 skipped, 0 failed" in out.getvalue()
    assert snapshot() == before

    # And once more: nothing changes.
    out = io.StringIO()
    call_command("import_articles", str(path), stdout=out, stderr=io.StringIO())
    assert f"0 created, 0 updated, {len(before)} skipped" in out.getvalue()
    assert snapshot() == before


def test_reimporting_an_export_restores_edited_articles(tmp_path):
    make_archive()
    before = snapshot()
    path = tmp_path / "archive.jsonl"
    call_command("export_articles", output=str(path), stderr=io.StringIO())
    article = Article.objects.get(slug="renamed-article")
    article.title, article.slug, article.status = "又改了", "again", S.DRAFT
    article.save()
    article.tags.set(["新标签"])
    out = io.StringIO()
    call_command("import_articles", str(path), stdout=out, stderr=io.StringIO())
    assert "0 created, 1 updated" in out.getvalue()
    assert snapshot() == before
    assert SlugRedirect.objects.filter(old_slug="again", article=article).exists()


def test_export_record_format():
    make_archive()
    record = next(r for r in export() if r["title"].startswith("让世界"))
    assert record == {
        "title": "让世界共享野生智能发展红利(和音)",
        "slug": "rang-shi-jie-gong-xiang-ye-sheng-zhi-neng-fa-zhan-hong-li-he-yin",
        "standfirst": record["standfirst"],
        "body": record["body"],
        "topic": "业界新闻",
        "tags": sorted(["合作", "国际", "建设"]),
        "published_at": "2024-12-05T14:32:26.123456+08:00",
        "status": "published",
        "byline": "和音",
        "source": "人民日报",
        "source_url": "http://opinion.people.com.cn/n1/2024/1205/c1003.html",
        "expires_at": None,
        "featured": True,
        "featured_order": 2,
        "pinned_until": "2024-12-07T14:32:26.123456+08:00",
        "seo_title": "共享人工智能发展红利",
        "meta_description": "和音评论。",
        "social_title": "",
        "uuid": record["uuid"],
    }
    draft = next(r for r in export() if r["title"] == "没有时间的草稿")
    assert draft["published_at"] is None and draft["source"] is None


def test_status_and_since_filters():
    make_archive()
    assert {r["status"] for r in export(status=["published"])} == {"published"}
    assert {r["status"] for r in export(status=["draft,review"])} == {"draft", "review"}
    since = export(since="2024-12-05")
    assert sorted(r["title"] for r in since) == sorted(
        ["让世界共享野生智能发展红利(和音)", "定时发布"]
    )
    assert [r["title"] for r in export(since="2024-12-05T14:32:27+08:00")] == ["定时发布"]


def test_invalid_filters_are_errors():
    with pytest.raises(CommandError, match="unknown status live"):
        export(status=["live"])
    with pytest.raises(CommandError, match="is not a date"):
        export(since="last week")


def test_a_failed_export_leaves_no_file(tmp_path, monkeypatch):
    make_archive()
    path = tmp_path / "out.jsonl"
    path.write_text("previous export\n")

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("articles.management.commands.export_articles.export_articles", broken)
    with pytest.raises(RuntimeError):
        call_command("export_articles", output=str(path), stderr=io.StringIO())
    assert path.read_text() == "previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


def test_export_query_count_does_not_grow_with_articles(django_assert_max_num_queries):
    make_archive()
    with django_assert_max_num_queries(3):
        export()


def test_trash_and_working_copies_are_not_exported():
    make_archive()
    original = Article.objects.get(title="定时发布")
    make_article(title="工作副本", topic=original.topic, working_copy_of=original, status=S.DRAFT)
    make_article(title="回收站里的", topic=original.topic, deleted_at=T0)
    titles = {r["title"] for r in export()}
    assert "定时发布" in titles
    assert "工作副本" not in titles and "回收站里的" not in titles
