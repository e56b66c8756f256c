"""
import_articles and articles.ingest: reprint pages, RSS/Atom feeds and JSON
Lines; idempotency, strictness, encodings, sanitizing, batching and the
summary. URL fetching is in test_ingest_fetch.py, the admin page in
test_ingest_admin.py, export and the round trip in test_export.py.
"""

import io
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from reversion.models import Version

from articles import workflow
from articles.changes import articles_changed
from articles.ingest import importer as importer_module
from articles.ingest.formats import DEFAULT_FEED_TOPIC
from articles.ingest.importer import import_documents
from articles.ingest.sources import (
    FileDocument,
    StreamDocument,
    decode,
    detect_encoding,
)
from articles.models import (
    Article,
    ArticleEvent,
    SlugRedirect,
    Source,
    Tag,
    TaggedArticle,
    Topic,
)
from tests.factories import make_article, make_source, make_topic, make_user

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
SEED = DATA / "seed_renmin_ribao.txt"
FEED_50 = DATA / "feed_50.xml"
SHANGHAI = ZoneInfo("Asia/Shanghai")
S = Article.Status


def run_import(*sources, **options):
    """Run the command; return (stdout, CommandError or None)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_articles", *map(str, sources), stdout=out, stderr=err, **options)
    except CommandError as exc:
        return out.getvalue(), exc
    assert err.getvalue() == ""  # no progress bar when stderr is not a terminal
    return out.getvalue(), None


def import_text(name, text, **options):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return import_documents([StreamDocument(name, io.BytesIO(data))], **options)


def jsonl(*records):
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)


def record(**fields):
    base = {
        "title": "标题",
        "standfirst": "导语",
        "body": "<p>正文</p>",
        "topic": "业界新闻",
        "tags": ["合作"],
        "published_at": "2025-03-01T09:00:00+08:00",
        "status": "published",
    }
    return {**base, **fields}


# The seed document -----------------------------------------------------------------


def test_seed_document_imports_to_the_foundation_article():
    out, error = run_import(SEED)
    assert error is None
    assert "1 created, 0 updated, 0 skipped, 0 failed" in out
    article = Article.objects.get()
    assert article.title == "让世界共享野生智能发展红利(和音)"
    assert article.slug == "rang-shi-jie-gong-xiang-ye-sheng-zhi-neng-fa-zhan-hong-li-he-yin"
    assert article.topic.name == "业界新闻"
    assert sorted(article.tags.names()) == sorted(["合作", "国际", "建设"])
    assert article.published_at == datetime(2024, 12, 5, 14, 32, 26, tzinfo=SHANGHAI)
    assert article.source.name == "人民日报"
    assert article.standfirst.startswith("野生智能本领建设国际合作之友小组")
    text = article.title + article.standfirst + article.body
    assert "(guo)" not in text and "(shi)" not in text and "?" not in text
    assert "(以下简称“之友小组”)" in article.body  # real parentheses stay
    assert article.body.count("<p>") == 6
    # A draft for review: not public.
    assert article.status == S.DRAFT
    assert not Article.objects.published().exists()


def test_publish_option_publishes_reprints_and_feed_items():
    run_import(SEED, FEED_50, publish=True)
    assert Article.objects.count() == 51
    assert set(Article.objects.values_list("status", flat=True)) == {S.PUBLISHED}
    assert Article.objects.published().count() == 51


def test_reimporting_a_reprint_without_url_matches_title_time_and_source():
    run_import(SEED)
    out, _ = run_import(SEED)
    assert "0 created, 0 updated, 1 skipped" in out
    # --publish on a second run publishes the same article, never a copy.
    out, _ = run_import(SEED, publish=True)
    assert "0 created, 1 updated, 0 skipped" in out
    assert Article.objects.get().status == S.PUBLISHED


# Feeds ---------------------------------------------------------------------------


def test_feed_with_50_items_imports_50_drafts_and_a_second_import_changes_nothing():
    out, error = run_import(FEED_50)
    assert error is None
    assert "50 created, 0 updated, 0 skipped, 0 failed" in out
    assert Article.objects.filter(status=S.DRAFT).count() == 50
    first = Article.objects.order_by("source_url").first()
    assert first.source_url == "https://wire.example.com/news/2025/001.html"
    assert first.title == "上海:半导体产业动态第1期"
    assert first.topic.name == DEFAULT_FEED_TOPIC
    assert sorted(first.tags.names()) == sorted(["半导体", "上海"])
    assert first.standfirst == "上海消息:半导体产业第1期动态摘要。"
    assert first.published_at == datetime(2025, 3, 1, 11, 0, tzinfo=SHANGHAI)
    before = dict(Article.objects.values_list("pk", "updated_at"))
    links = TaggedArticle.objects.count()

    out, error = run_import(FEED_50)
    assert error is None
    assert "0 created, 0 updated, 50 skipped, 0 failed" in out
    assert dict(Article.objects.values_list("pk", "updated_at")) == before
    assert TaggedArticle.objects.count() == links
    assert Tag.objects.count() == 15  # 10 subjects + 5 places, each once


def test_feed_items_take_topic_and_source_from_options():
    topic = make_topic("科技前沿")
    run_import(DATA / "feed_atom.xml", topic="科技前沿", source="新华社")
    assert set(Article.objects.values_list("topic", flat=True)) == {topic.pk}
    assert set(Article.objects.values_list("source__name", flat=True)) == {"新华社"}


def test_atom_feed_entries_become_sanitized_drafts():
    out, _ = run_import(DATA / "feed_atom.xml")
    assert "2 created" in out
    article = Article.objects.get(source_url="https://wire.example.com/atom/1.html")
    assert article.title == "大模型标准体系逐步完善"
    assert article.byline == "李明"
    assert article.standfirst == "大模型标准体系建设取得进展。"
    assert "<script" not in article.body and "bad()" not in article.body
    assert "style=" not in article.body
    assert "<p>正文第一段。</p>" in article.body
    assert sorted(article.tags.names()) == ["大模型", "标准"]
    # Only a summary: it becomes the body.
    other = Article.objects.get(source_url="https://wire.example.com/atom/2.html")
    assert other.body == "<p>光伏新增装机量同比增长。</p>"
    assert other.published_at == datetime(2025, 3, 1, 18, 0, tzinfo=ZoneInfo("UTC"))


def test_imported_feed_html_is_sanitized():
    run_import(FEED_50)
    body = Article.objects.get(source_url__endswith="/001.html").body
    assert "<script" not in body and "alert" not in body
    assert "onclick" not in body and "javascript:" not in body
    assert "<p>点击</p>" in body


def test_billion_laughs_is_refused_with_a_clear_message():
    out, error = run_import(DATA / "billion_laughs.xml")
    assert error is not None
    assert "billion laughs" in out and "entity expansion is off" in out
    assert "billion_laughs.xml" in out
    assert Article.objects.count() == 0


def test_malformed_xml_names_line_and_column():
    summary = import_text(
        "broken.xml", '<?xml version="1.0"?>\n<rss version="2.0">\n<channel>\n</rss>'
    )
    assert summary.failed == 1
    assert "not well-formed XML at line 4" in str(summary.failures[0])


def test_xml_that_is_not_a_feed_is_refused():
    summary = import_text("page.xml", "<html><body>hello</body></html>")
    assert summary.failures[0].message == "not an RSS or Atom feed"


def test_feed_entry_without_title_is_reported_by_entry_number_and_skipped():
    feed = """<rss version="2.0"><channel><title>t</title>
      <item><title>有标题</title><link>https://wire.example.com/a</link></item>
      <item><link>https://wire.example.com/b</link></item>
    </channel></rss>"""
    summary = import_text("wire.xml", feed)
    assert (summary.created, summary.failed) == (1, 1)
    assert str(summary.failures[0]) == "wire.xml entry 2: the title is empty"


# JSON Lines ------------------------------------------------------------------------


def test_jsonl_keeps_its_own_status_and_sanitizes_bodies():
    out, error = run_import(DATA / "articles.jsonl")
    assert error is None
    assert "2 created" in out
    first = Article.objects.get(slug="di-yi-tiao")
    assert first.status == S.PUBLISHED
    assert first.source.name == "新华社"
    assert first.byline == "本报记者 王芳"
    assert "<script" not in first.body and "onerror" not in first.body
    second = Article.objects.get(title="第二条:光伏产业观察")
    assert second.status == S.DRAFT  # kept, even though published is the default
    assert second.slug == "di-er-tiao-guang-fu-chan-ye-guan-cha"
    assert second.topic.name == "市场观察"


def test_truncated_json_line_is_reported_with_file_and_line_and_skipped():
    path = DATA / "truncated.jsonl"
    out, error = run_import(path)
    assert error is not None and "not imported" in str(error)
    assert f"{path}:3: invalid JSON" in out
    assert "cut short" in out
    assert "2 created, 0 updated, 0 skipped, 1 failed" in out
    assert Article.objects.count() == 2


def test_strict_mode_writes_nothing_when_a_line_is_broken():
    out, error = run_import(DATA / "truncated.jsonl", strict=True)
    assert error is not None and "nothing was written" in str(error)
    assert "truncated.jsonl:3" in out
    assert Article.objects.count() == 0
    assert Topic.objects.count() == 0 and Tag.objects.count() == 0


def test_strict_mode_rolls_back_earlier_sources_too():
    out, error = run_import(FEED_50, DATA / "billion_laughs.xml", strict=True)
    assert error is not None
    assert Article.objects.count() == 0


@pytest.mark.parametrize(
    "line, message",
    [
        ("[1, 2]", "expected a JSON object"),
        (json.dumps(record(title="")), "the title is empty"),
        (json.dumps(record(topic="")), "the topic is empty"),
        (json.dumps(record(status="live")), "status 'live' is not one of"),
        (json.dumps(record(published_at="2025-03-01 09:00")), "needs a UTC offset"),
        (json.dumps(record(published_at="yesterday")), "is not an ISO 8601"),
        (json.dumps(record(tags="合作")), "tags must be a list"),
        (json.dumps(record(title="长" * 201)), "title is longer than 200"),
        (json.dumps(record(slug="不是 slug")), "is not a valid slug"),
        (json.dumps(record(source_url="javascript:alert(1)")), "is not an http(s) URL"),
        (json.dumps(record(uuid="nope")), "is not a UUID"),
    ],
)
def test_invalid_json_lines_are_reported_and_skipped(line, message):
    text = jsonl(record(title="好的一条", source_url="https://example.com/ok")) + line + "\n"
    summary = import_text("in.jsonl", text)
    assert (summary.created, summary.failed) == (1, 1)
    assert summary.failures[0].origin == "in.jsonl:2"
    assert message in summary.failures[0].message


def test_summary_counts_created_updated_skipped_and_failed():
    lines = [record(title=f"文章{i}", source_url=f"https://example.com/{i}") for i in range(3)]
    assert import_text("a.jsonl", jsonl(*lines)).created == 3
    lines[0]["body"] = "<p>改过的正文</p>"
    summary = import_text("a.jsonl", jsonl(*lines) + "{oops\n")
    assert (summary.created, summary.updated, summary.skipped, summary.failed) == (0, 1, 2, 1)
    assert summary.headline() == "0 created, 1 updated, 2 skipped, 1 failed"
    assert Article.objects.get(source_url="https://example.com/0").body == "<p>改过的正文</p>"


def test_same_title_time_and_source_updates_instead_of_duplicating():
    source = make_source("人民日报")
    existing = make_article(
        title="已有文章",
        published_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=SHANGHAI),
        source=source,
        body="<p>旧</p>",
    )
    line = record(
        title="已有文章",
        published_at="2025-01-01T19:04:05+00:00",  # the same moment
        source="人民日报",
        body="<p>新</p>",
        topic=existing.topic.name,
    )
    summary = import_text("x.jsonl", jsonl(line))
    assert (summary.created, summary.updated) == (0, 1)
    existing.refresh_from_db()
    assert existing.body == "<p>新</p>"
    # Another source: another article.
    summary = import_text("x.jsonl", jsonl({**line, "source": "新华社"}))
    assert summary.created == 1


def test_same_title_and_time_with_different_urls_are_two_articles():
    lines = [
        record(title="快讯", source_url="https://example.com/a", body="<p>甲</p>"),
        record(title="快讯", source_url="https://example.com/b", body="<p>乙</p>"),
    ]
    assert import_text("two.jsonl", jsonl(*lines)).created == 2
    summary = import_text("two.jsonl", jsonl(*lines))
    assert (summary.created, summary.updated, summary.skipped) == (0, 0, 2)
    # Without a URL of its own, an item is the article with its title, time and source.
    summary = import_text("one.jsonl", jsonl({**lines[0], "source_url": None}))
    assert (summary.created, summary.updated) == (0, 1)


def test_duplicates_within_one_file_and_batch_never_duplicate():
    lines = [
        record(title="第一版", source_url="https://example.com/same"),
        record(title="第二版", source_url="https://example.com/same"),
        record(title="无关", source_url="https://example.com/other"),
    ]
    summary = import_text("dup.jsonl", jsonl(*lines), batch_size=10)
    assert (summary.created, summary.updated, summary.skipped) == (2, 1, 0)
    assert Article.objects.get(source_url="https://example.com/same").title == "第二版"


def test_small_batches_give_the_same_result():
    lines = [
        record(title="同名文章", published_at=f"2025-03-0{i + 1}T09:00:00+08:00", tags=["a", "A"])
        for i in range(5)
    ]
    summary = import_text("b.jsonl", jsonl(*lines), batch_size=2)
    assert summary.created == 5
    slugs = sorted(Article.objects.values_list("slug", flat=True))
    assert slugs == ["tong-ming-wen-zhang", *[f"tong-ming-wen-zhang-{n}" for n in range(2, 6)]]
    assert Tag.objects.count() == 1  # tag names match case-insensitively


def test_slugs_are_unique_against_articles_and_redirects():
    make_article(title="旧文章", slug="chong-fu")
    SlugRedirect.objects.create(old_slug="chong-fu-2", article=Article.objects.get())
    summary = import_text("s.jsonl", jsonl(record(title="重复", source_url="https://e.com/1")))
    assert summary.created == 1
    assert Article.objects.get(source_url="https://e.com/1").slug == "chong-fu-3"


def test_tags_reuse_existing_tags_case_insensitively_and_get_pinyin_slugs():
    Tag.objects.create(name="AI", slug="ai")
    Tag.objects.create(name="国际", slug="guo-ji-x")
    Tag.objects.create(name="其他", slug="guo-ji")
    import_text("t.jsonl", jsonl(record(tags=["ai", "国际", "国际", "合作"])))
    article = Article.objects.get()
    assert sorted(article.tags.names()) == sorted(["AI", "国际", "合作"])
    assert Tag.objects.get(name="合作").slug == "he-zuo"
    assert Tag.objects.count() == 4


def test_changing_a_slug_on_reimport_keeps_the_old_url():
    line = record(slug="old-slug", source_url="https://example.com/s")
    import_text("r.jsonl", jsonl(line))
    summary = import_text("r.jsonl", jsonl({**line, "slug": "new-slug"}))
    assert summary.updated == 1
    article = Article.objects.get()
    assert article.slug == "new-slug"
    assert SlugRedirect.objects.get().old_slug == "old-slug"
    # Going back removes the redirect from the slug it goes back to.
    import_text("r.jsonl", jsonl(line))
    article.refresh_from_db()
    assert article.slug == "old-slug"
    assert list(SlugRedirect.objects.values_list("old_slug", flat=True)) == ["new-slug"]


def test_tags_are_replaced_on_update_and_kept_when_a_feed_has_none():
    import_text("u.jsonl", jsonl(record(tags=["甲", "乙"], source_url="https://e.com/u")))
    import_text("u.jsonl", jsonl(record(tags=["乙", "丙"], source_url="https://e.com/u")))
    assert sorted(Article.objects.get().tags.names()) == ["丙", "乙"]
    feed = """<rss version="2.0"><channel><title>t</title>
      <item><title>标题</title><link>https://e.com/u</link></item></channel></rss>"""
    summary = import_text("u.xml", feed)
    assert summary.skipped == 1  # nothing it carries differs: topic, tags and time are kept
    assert sorted(Article.objects.get().tags.names()) == ["丙", "乙"]


def test_articles_changed_is_sent_after_commit_with_the_ids(django_capture_on_commit_callbacks):
    received = []

    def receiver(sender, ids, **kwargs):
        received.append(sorted(ids))

    articles_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            import_documents([FileDocument(FEED_50)], batch_size=20)
        assert received == []  # not before the transaction commits
        for callback in callbacks:
            callback()
    finally:
        articles_changed.disconnect(receiver)
    assert [len(ids) for ids in received] == [20, 20, 10]
    assert sorted(i for ids in received for i in ids) == sorted(
        Article.objects.values_list("pk", flat=True)
    )


def test_a_database_error_rolls_back_its_document_and_says_so(monkeypatch):
    real = importer_module.Importer._write_tags
    calls = {"n": 0}

    def failing(self, *args):
        calls["n"] += 1
        if calls["n"] == 2:
            raise DatabaseError("disk full")
        return real(self, *args)

    monkeypatch.setattr(importer_module.Importer, "_write_tags", failing)
    summary = import_documents(
        [FileDocument(DATA / "articles.jsonl"), FileDocument(FEED_50)], batch_size=20
    )
    assert summary.created == 2
    assert summary.failures[0].origin == str(FEED_50)
    assert "nothing from it was written" in summary.failures[0].message
    assert Article.objects.count() == 2
    # The rolled-back document's topic is gone; the next import recreates it.
    monkeypatch.setattr(importer_module.Importer, "_write_tags", real)
    assert import_documents([FileDocument(FEED_50)]).created == 50


# Encodings and sources --------------------------------------------------------------


def test_gbk_reprint_reads_correctly():
    run_import(DATA / "reprint_gbk.txt")
    article = Article.objects.get()
    assert article.title == "半导体产业链协同发展峰会举行"
    assert sorted(article.tags.names()) == sorted(["合作", "半导体"])
    assert article.source.name == "经济日报"
    assert article.standfirst == "记者从峰会上获悉,国内半导体产业链上下游企业将加强协同。"


def test_utf8_bom_reprint_reads_correctly():
    run_import(DATA / "reprint_utf8_bom.txt")
    article = Article.objects.get()
    assert article.topic.name == "政策法规"  # no BOM glued to the first line
    assert article.title == "数据出境安全评估办法解读"
    assert article.source.name == "新华社"


def test_feed_declared_gb2312_with_gbk_characters_reads_correctly():
    run_import(DATA / "feed_gbk.xml")
    article = Article.objects.get()
    assert article.title == "镕铭科技发布新一代芯片"  # 镕 is in GBK, not in GB2312
    assert article.tags.names()[0] == "芯片"


def test_gbk_and_bom_json_lines_read_correctly():
    text = jsonl(record(title="国际合作新进展", tags=["国际"]))
    assert import_text("g.jsonl", text.encode("gbk")).created == 1
    assert (
        import_text("b.jsonl", b"\xef\xbb\xbf" + text.replace("新进展", "再出发").encode()).created
        == 1
    )
    assert set(Article.objects.values_list("title", flat=True)) == {
        "国际合作新进展",
        "国际合作再出发",
    }


@pytest.mark.parametrize(
    "encoding, expected",
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030")],
)
def test_detect_encoding(encoding, expected):
    text = "业界新闻:人工智能与半导体产业国际合作,镕铭科技"
    if encoding == "gbk":
        text = text.replace("镕铭", "熔铭")  # stay inside GBK
    assert detect_encoding(text.encode(encoding)) == expected
    assert decode(text.encode(encoding))[0] == text


def test_stdin_is_read_and_its_format_sniffed():
    stdin = io.BytesIO(jsonl(record(title="来自标准输入")).encode())
    out, error = run_import("-", stdin=stdin)
    assert error is None
    assert "<stdin>" not in out and "1 created" in out
    assert Article.objects.get().title == "来自标准输入"


def test_a_folder_is_imported_file_by_file(tmp_path):
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / "wire.xml").write_bytes(FEED_50.read_bytes())
    (tmp_path / "seed.txt").write_bytes(SEED.read_bytes())
    (tmp_path / "notes.md").write_text("not an article")
    (tmp_path / ".hidden.txt").write_text("skipped")
    out, error = run_import(tmp_path)
    assert error is None
    assert "2 source(s): 51 created" in out


def test_missing_source_is_an_error_before_anything_is_written():
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_articles", str(FEED_50), "/nonexistent/file.txt", stdout=io.StringIO())
    assert Article.objects.count() == 0


def test_format_option_overrides_detection():
    stdin = io.BytesIO(SEED.read_bytes())
    out, error = run_import("-", stdin=stdin, format="jsonl")
    assert error is not None
    assert "<stdin>:1: invalid JSON" in out


def test_import_records_the_user(admin_user):
    summary = import_documents([FileDocument(SEED)], user=admin_user)
    assert summary.created == 1
    article = Article.objects.get()
    assert article.created_by == admin_user and article.updated_by == admin_user
    assert Source.objects.get().name == "人民日报"


# The editorial workflow ----------------------------------------------------------------


def test_imports_write_the_audit_trail_and_bump_the_version(admin_user):
    import_documents([FileDocument(SEED)], user=admin_user)
    article = Article.objects.get()
    event = ArticleEvent.objects.get(article=article)
    assert (event.action, event.to_status, event.actor) == ("create", S.DRAFT, admin_user)
    # Written in the site's language (zh-hans) when no request chose another.
    assert event.note == f"导入自 {SEED}"
    assert article.version == 1

    import_documents([FileDocument(SEED)], user=admin_user, publish=True)
    article.refresh_from_db()
    assert article.version == 2  # a form opened before the import is refused
    latest = ArticleEvent.objects.filter(article=article).order_by("-pk").first()
    assert (latest.action, latest.from_status, latest.to_status) == (
        "publish",
        "draft",
        "published",
    )


def test_a_user_who_may_not_publish_imports_drafts_and_never_changes_a_status(topic):
    """Was: such an import rewrote an article in review. A writer may not edit it in the desk."""
    writer = make_user("writer")
    line = record(source_url="https://example.com/d", status="published", topic=topic.name)
    import_text("d.jsonl", jsonl(line), user=writer)
    article = Article.objects.get()
    assert article.status == S.DRAFT
    workflow.submit_for_review(article, by=writer)
    summary = import_text("d.jsonl", jsonl({**line, "body": "<p>新</p>"}), user=writer)
    assert (summary.updated, summary.skipped) == (0, 1)
    assert "待审" in str(summary.notices[0])  # names the state it is in
    article.refresh_from_db()
    assert (article.status, article.body) == (S.REVIEW, "<p>正文</p>")


def test_trashed_articles_are_neither_duplicated_nor_brought_back():
    import_text("t.jsonl", jsonl(record(source_url="https://example.com/t")))
    Article.objects.update(deleted_at=datetime(2025, 3, 2, tzinfo=SHANGHAI))
    summary = import_text("t.jsonl", jsonl(record(source_url="https://example.com/t", body="x")))
    assert (summary.created, summary.updated, summary.skipped) == (0, 0, 1)
    assert Article.objects.get().deleted_at is not None


def test_items_match_the_original_not_its_working_copy():
    """Was: the match was rewritten in place by anyone. Now only by someone who may publish."""
    import_text("w.jsonl", jsonl(record(source_url="https://example.com/w")))
    original = Article.objects.get()
    copy = make_article(
        title=original.title,
        topic=original.topic,
        source_url=original.source_url,
        published_at=original.published_at,
        status=S.DRAFT,
        working_copy_of=original,
    )
    editor = make_user("editor")
    versions = Version.objects.get_for_object(original).count()
    summary = import_text(
        "w.jsonl", jsonl(record(source_url="https://example.com/w", body="新")), user=editor
    )
    assert summary.updated == 1
    original.refresh_from_db()
    copy.refresh_from_db()
    assert original.body == "新" and copy.body != "新"
    # In place, on the record: a revision and an "edit published" event.
    assert Version.objects.get_for_object(original).count() == versions + 1
    assert original.events.order_by("-pk").first().action == "publish_edit"


def test_large_imports_refresh_postgresql_statistics(monkeypatch):
    monkeypatch.setattr(importer_module, "ANALYZE_AFTER", 40)
    with CaptureQueriesContext(connection) as queries:
        import_documents([FileDocument(FEED_50)], batch_size=20)  # 20, 40: analyze; 50: not yet
    analyzed = [q["sql"] for q in queries if q["sql"].startswith("ANALYZE")]
    assert len(analyzed) == (1 if connection.vendor == "postgresql" else 0)
    with CaptureQueriesContext(connection) as queries:
        import_documents([FileDocument(FEED_50)])  # all skipped: nothing to refresh
    assert not [q for q in queries if q["sql"].startswith("ANALYZE")]


def test_reimporting_an_undated_item_matches_the_article_it_made():
    # Published on import, it took the import time as its publication time;
    # the same line imported again is the same article, not a copy.
    text = jsonl(record(published_at=None))
    import_text("a.jsonl", text)
    assert Article.objects.get().published_at is not None
    counts = import_text("a.jsonl", text)
    assert (counts.created, counts.updated) == (0, 0)
    assert Article.objects.count() == 1
    # A different text under the same title is another article.
    import_text("b.jsonl", jsonl(record(published_at=None, body="<p>另一篇</p>")))
    assert Article.objects.count() == 2
