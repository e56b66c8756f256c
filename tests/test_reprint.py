"""The seed document (a scraped People's Daily reprint) and its cleaning."""

import io
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from articles.models import Article
from articles.reprint import (
    ReprintFormatError,
    parse_reprint,
    remove_pinyin_glosses,
    split_title_line,
)

SEED = Path(__file__).parent / "data" / "seed_renmin_ribao.txt"


@pytest.fixture
def seed():
    return parse_reprint(SEED.read_text(encoding="utf-8"))


def test_seed_fields(seed):
    assert seed.category == "业界新闻"
    assert seed.title == "让世界共享野生智能发展红利(和音)"
    assert seed.keywords == ["合作", "国际", "建设"]
    assert seed.published_at == datetime(2024, 12, 5, 14, 32, 26, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert seed.source == "人民日报"
    assert seed.standfirst.startswith("野生智能本领建设国际合作之友小组将依托联合国")
    assert len(seed.paragraphs) == 6
    assert seed.paragraphs[0].startswith("当地时间12月3日,我国和赞比亚在纽约联合国总部")


def test_seed_loses_all_pinyin_glosses_and_junk(seed):
    text = "\n".join([seed.title, seed.standfirst, *seed.paragraphs])
    assert not re.search(r"[\u4e00-\u9fff]\([a-z]+\)", text)
    assert "?" not in text
    assert "世界" in seed.title and "发展" in seed.title
    # Real parentheses stay.
    assert "(和音)" in seed.title
    assert "(以下简称“之友小组”)" in seed.paragraphs[0]


def test_seed_words_are_kept_as_published(seed):
    # Odd word choices are content, not debris: never rewritten.
    body = "".join(seed.paragraphs)
    assert "野生智能" in body
    assert "权势巨子性" in seed.standfirst
    assert "会媾和首届" in body


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("世(shi)界", "世界"),
        ("国(guo)际(ji)合作", "国际合作"),
        ("红利(li)(和音)", "红利(和音)"),
        ("部长(chang)", "部长"),  # heteronym: 长 reads zhang or chang
        ("人工智能(AI)", "人工智能(AI)"),
        ("产品(abc)", "产品(abc)"),  # not a reading of 品: kept
        ("5G(wu)", "5G(wu)"),  # not after a Han character
    ],
)
def test_remove_pinyin_glosses(raw, clean):
    assert remove_pinyin_glosses(raw) == clean


def test_title_keeps_its_own_commas():
    assert split_title_line("一句很长的标题,后面还有一部分较长的内容,科技,市场") == (
        "一句很长的标题,后面还有一部分较长的内容",
        ["科技", "市场"],
    )


def test_control_and_zero_width_characters_are_removed():
    page = "业界新闻\n标\u200b题\x0b,标签\n2024-01-02 03:04:05\n导\ufeff语\u3000段落\n正文"
    parsed = parse_reprint(page)
    assert parsed.title == "标题"
    assert parsed.standfirst == "导语 段落"


@pytest.mark.parametrize(
    "page, line",
    [
        ("", 1),
        ("业界新闻\n标题", 1),
        ("业界新闻\n标题\n昨天下午\n正文", 3),
        ("业界新闻\n标题\n2024-13-45 10:00:00\n正文", 3),
        ("业界新闻\n标题\n2024-01-01 10:00:00\n本文转自【新华社】", 4),
    ],
)
def test_malformed_pages_name_the_line(page, line):
    with pytest.raises(ReprintFormatError) as excinfo:
        parse_reprint(page)
    assert excinfo.value.line == line


@pytest.mark.django_db
def test_seed_becomes_the_demo_article():
    from django.core.management import call_command

    call_command("load_demo_content", articles=0, stdout=io.StringIO())
    article = Article.objects.get(source__name="人民日报", featured=True)
    assert article.topic.name == "业界新闻"
    assert article.source.name == "人民日报"
    assert sorted(t.name for t in article.tags.all()) == sorted(["合作", "国际", "建设"])
    assert article.slug == "rang-shi-jie-gong-xiang-ye-sheng-zhi-neng-fa-zhan-hong-li-he-yin"
    assert article.body.count("<p>") == 6
    assert Article.objects.published().filter(pk=article.pk).exists()
