from datetime import timedelta
from io import StringIO

import pytest
import time_machine as tm
from django.utils import timezone

from articles.models import Article, SlugRedirect, Tag, Topic
from articles.text import ascii_slug, sanitize_html, strip_invalid_xml_chars
from tests.factories import make_article, make_unpublished_variants

pytestmark = pytest.mark.django_db

S = Article.Status


@pytest.mark.parametrize(
    "status, offset, expires, visible",
    [
        (S.PUBLISHED, -1, None, True),
        (S.PUBLISHED, +1, None, False),  # scheduled
        (S.PUBLISHED, -2, -1, False),  # expired
        (S.PUBLISHED, -2, +1, True),  # expires later
        (S.DRAFT, -1, None, False),
        (S.REVIEW, -1, None, False),
        (S.APPROVED, -1, None, False),
        (S.UNPUBLISHED, -1, None, False),
        (S.DRAFT, +1, None, False),
    ],
)
def test_publication_rule(topic, status, offset, expires, visible):
    now = timezone.now()
    article = make_article(
        topic=topic,
        status=status,
        published_at=now + timedelta(hours=offset),
        expires_at=now + timedelta(hours=expires) if expires is not None else None,
    )
    assert Article.objects.published().filter(pk=article.pk).exists() is visible


def test_published_without_time_is_not_public(topic):
    article = make_article(topic=topic, status=S.PUBLISHED, published_at=None)
    assert article.published_at is None
    assert not Article.objects.published().filter(pk=article.pk).exists()


def test_scheduled_article_appears_at_its_time_without_any_job(topic):
    at = timezone.now() + timedelta(hours=5)
    article = make_article(topic=topic, published_at=at, expires_at=at + timedelta(days=1))
    with tm.travel(at - timedelta(seconds=1), tick=False):
        assert not Article.objects.published().filter(pk=article.pk).exists()
    with tm.travel(at, tick=False):
        assert Article.objects.published().filter(pk=article.pk).exists()
    with tm.travel(at + timedelta(days=1), tick=False):
        assert not Article.objects.published().filter(pk=article.pk).exists()


def test_only_published_variant_is_public(topic):
    make_unpublished_variants(topic=topic)
    visible = make_article(topic=topic)
    assert list(Article.objects.published()) == [visible]


@pytest.mark.parametrize(
    "text, slug",
    [
        ("让世界共享野生智能发展红利", "rang-shi-jie-gong-xiang-ye-sheng-zhi-neng-fa-zhan-hong-li"),
        ("ChatGPT 监管新规", "chatgpt-jian-guan-xin-gui"),
        ("5G 网络:覆盖率提升", "5g-wang-luo-fu-gai-lv-ti-sheng"),
        ("！？", ""),
    ],
)
def test_ascii_slug(text, slug):
    assert ascii_slug(text) == slug


def test_chinese_titles_get_unique_readable_slugs(topic):
    first = make_article(title="人工智能产业", topic=topic)
    second = make_article(title="人工智能产业", topic=topic)
    assert first.slug == "ren-gong-zhi-neng-chan-ye"
    assert second.slug == "ren-gong-zhi-neng-chan-ye-2"
    assert first.slug.isascii()


def test_long_title_slug_is_capped(topic):
    article = make_article(title="数字经济" * 50, topic=topic)
    assert len(article.slug) <= 80
    assert not article.slug.endswith("-")


def test_punctuation_only_title_still_gets_a_slug(topic):
    assert make_article(title="！！！", topic=topic).slug == "article"


def test_chinese_tags_get_ascii_slugs(topic):
    article = make_article(topic=topic, tags=["国际", "合作", "ChatGPT"])
    slugs = {t.name: t.slug for t in article.tags.all()}
    assert slugs == {"国际": "guo-ji", "合作": "he-zuo", "ChatGPT": "chatgpt"}
    assert isinstance(article.tags.first(), Tag)


def test_tag_slug_collision_gets_a_suffix(topic):
    make_article(topic=topic, tags=["世界"])
    make_article(topic=topic, tags=["视界"])  # same pinyin: shi-jie
    assert sorted(Tag.objects.values_list("slug", flat=True)) == ["shi-jie", "shi-jie-1"]


def test_topic_slug_from_pinyin():
    assert Topic.objects.create(name="政策法规").slug == "zheng-ce-fa-gui"


def test_slug_change_keeps_a_redirect_and_can_go_back(topic):
    article = make_article(title="旧标题", topic=topic)
    old = article.slug
    article.slug = "xin-biao-ti"
    article.save()
    assert SlugRedirect.objects.get(old_slug=old).article == article
    article.slug = old
    article.save()
    assert not SlugRedirect.objects.filter(old_slug=old).exists()
    assert SlugRedirect.objects.get(old_slug="xin-biao-ti").article == article


def test_new_article_never_takes_an_old_slug(topic):
    article = make_article(title="标题", topic=topic)
    article.slug = "biao-ti-new"
    article.save()
    assert make_article(title="标题", topic=topic).slug == "biao-ti-2"


@pytest.mark.parametrize(
    "dirty, forbidden",
    [
        ('<p onclick="x()">a</p>', "onclick"),
        ("<script>alert(1)</script><p>a</p>", "<script"),
        ('<a href="javascript:alert(1)">x</a>', "javascript:"),
        ('<img src="x" onerror="alert(1)">', "onerror"),
        ('<p style="color:red">a</p>', "style"),
        ("<iframe src='https://evil.example'></iframe>", "iframe"),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', "alert"),
    ],
)
def test_body_is_sanitized_on_save(topic, dirty, forbidden):
    article = make_article(topic=topic, body=dirty)
    article.refresh_from_db()
    assert forbidden.lower() not in article.body.lower()


def test_sanitizer_keeps_structure_and_safe_links():
    html = '<h2>小标题</h2><p><strong>加粗</strong><a href="https://example.com/a">链接</a></p><ul><li>一</li></ul>'
    clean = sanitize_html(html)
    assert "<h2>小标题</h2>" in clean
    assert '<a href="https://example.com/a" rel="noopener noreferrer">链接</a>' in clean
    assert "<li>一</li>" in clean


def test_control_characters_are_stripped_on_save(topic):
    article = make_article(
        title="标\x0b题\x00", standfirst="导\x1f语", body="<p>正\x08文</p>", topic=topic
    )
    article.refresh_from_db()
    assert (article.title, article.standfirst, article.body) == ("标题", "导语", "<p>正文</p>")


def test_strip_invalid_xml_chars_keeps_whitespace_and_cjk():
    assert strip_invalid_xml_chars("中\t文\n\r\x0c\ufffe") == "中\t文\n\r"


def test_summary_falls_back_to_body(topic):
    article = make_article(topic=topic, standfirst="", body="<p>" + "字" * 300 + "</p>")
    assert article.summary.startswith("字") and len(article.summary) <= 160


def test_tag_links_carry_the_publication_time(topic):
    from articles.models import TaggedArticle, sync_tag_dates

    def link_times(article):
        return set(
            TaggedArticle.objects.filter(content_object=article).values_list(
                "published_at", flat=True
            )
        )

    article = make_article(topic=topic, tags=["芯片", "国际"])
    assert link_times(article) == {article.published_at}
    article.published_at -= timedelta(days=3)
    article.save()
    assert link_times(article) == {article.published_at}
    fresh = Article.objects.get(pk=article.pk)  # loaded from the database
    fresh.published_at += timedelta(hours=1)
    fresh.save()
    assert link_times(article) == {fresh.published_at}
    moved = fresh.published_at - timedelta(days=1)
    Article.objects.filter(pk=article.pk).update(published_at=moved)  # bypasses save()
    sync_tag_dates([article.pk])
    assert link_times(article) == {moved}


def test_imported_articles_tag_links_carry_the_publication_time(tmp_path):
    from django.core.management import call_command

    from articles.models import TaggedArticle

    source = tmp_path / "items.jsonl"
    source.write_text(
        '{"title": "导入的文章", "standfirst": "导语", "body": "<p>正文</p>", "topic": "业界新闻", '
        '"tags": ["芯片", "国际"], "published_at": "2024-12-05T14:32:26+08:00"}\n',
        encoding="utf-8",
    )
    call_command("import_articles", str(source), stdout=StringIO(), stderr=StringIO())
    article = Article.objects.get(title="导入的文章")
    times = set(
        TaggedArticle.objects.filter(content_object=article).values_list("published_at", flat=True)
    )
    assert times == {article.published_at}
