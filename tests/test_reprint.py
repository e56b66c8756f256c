"""
Reprint pages (articles.reprint): the seed document and its cleaning, every
form of pinyin gloss in both directions (removed from a glossed page, left in
an unglossed one), and the title line's headline and keywords.
"""

import io
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from articles.models import Article
from articles.reprint import (
    ReprintFormatError,
    gloss_stats,
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
    assert seed.warnings == []
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
    assert seed.glosses_removed == 178
    # The page as received is kept for the editors to compare.
    assert seed.original == SEED.read_text(encoding="utf-8")


def test_seed_words_are_kept_as_published(seed):
    # Odd word choices are content, not debris: the cleaner never rewrites
    # them (spun copy is flagged and restored by an editor, see test_spun).
    body = "".join(seed.paragraphs)
    assert "野生智能" in body
    assert "权势巨子性" in seed.standfirst
    assert "会媾和首届" in body


# Glosses: decided per page, every form ------------------------------------------

# Enough glosses to make a page glossed, and the same text without them.
GLOSSED_LEAD = "国(guo)际(ji)合(he)作(zuo)不断深化,各(ge)方(fang)积(ji)极参与交流。"
CLEAN_LEAD = "国际合作不断深化,各方积极参与交流。"


def page(line, *, glossed):
    lead = GLOSSED_LEAD if glossed else CLEAN_LEAD
    return f"业界新闻\n一篇关于测试的新闻标题,测试,新闻\n2024-12-05 14:32:26\n{lead}\n{line}\n"


def cleaned(line, *, glossed):
    return parse_reprint(page(line, glossed=glossed)).paragraphs[0]


# (form, raw, cleaned when the page is glossed)
DEBRIS = [
    ("tone marks", "国(guó)际标准", "国际标准"),
    ("tone-marked ü", "绿(lǜ)色发展", "绿色发展"),
    ("ü written v", "绿(lv)色发展", "绿色发展"),
    ("ü written u:", "绿(lu:)色发展", "绿色发展"),
    ("full-width parentheses", "国（guo）际标准", "国际标准"),
    ("capitalised", "国(Guo)际标准", "国际标准"),
    ("tone digits", "国(guo2)际标准", "国际标准"),
    ("spaces inside the parentheses", "国( guo )际标准", "国际标准"),
    ("a space before the parenthesis", "国 (guo)际标准", "国际标准"),
    ("a doubled gloss", "国(guo)(guo)际标准", "国际标准"),
    ("a character outside the BMP", "𠮷(ji)祥如意", "𠮷祥如意"),
    ("a gloss of a two-character word", "芯片(xinpian)产业", "芯片产业"),
    ("a word gloss with a space", "芯片(xin pian)产业", "芯片产业"),
    ("a word gloss with tone marks", "芯片(xīn piàn)产业", "芯片产业"),
    # A single syllable after a matching character: real text on its own.
    ("小米(mi)", "小米(mi)手机销量", "小米手机销量"),
    ("茶(cha)", "一杯茶(cha)的时间", "一杯茶的时间"),
    ("平安(an)", "祝大家平安(an)健康", "祝大家平安健康"),
    ("阿(a)", "阿(a)里巴巴集团", "阿里巴巴集团"),
    ("单(shan)", "姓单(shan)的记者", "姓单的记者"),
]


@pytest.mark.parametrize("form, raw, clean", DEBRIS, ids=[d[0] for d in DEBRIS])
def test_a_glossed_page_loses_every_form_of_gloss(form, raw, clean):
    assert cleaned(raw, glossed=True) == clean


@pytest.mark.parametrize("form, raw, clean", DEBRIS, ids=[d[0] for d in DEBRIS])
def test_an_unglossed_page_keeps_the_same_text_as_it_is(form, raw, clean):
    assert cleaned(raw, glossed=False) == raw


@pytest.mark.parametrize(
    "text",
    ["人工智能(AI)标准", "发展红利(和音)", "产品(abc)发布", "5G(wu)网络", "苹果(Apple)发布会"],
)
def test_parentheses_that_are_no_gloss_stay_even_on_a_glossed_page(text):
    assert cleaned(text, glossed=True) == text
    assert cleaned(text, glossed=False) == text


def test_the_page_decision_counts_density_and_regularity(seed):
    assert gloss_stats(SEED.read_text(encoding="utf-8")).glossed
    assert not gloss_stats("小米(mi)手机销量增长").glossed  # a stray one
    # Two readings in a long article: too sparse to be a scraper's glossing.
    long_article = "茶(cha)" + "国际合作不断深化。" * 100 + "阿(a)姨"
    assert not gloss_stats(long_article).glossed
    # Mostly parenthesised pinyin-like words that read nothing: irregular.
    assert not gloss_stats("国(guo)际(ji)在(ma)会(ta)上(ni)说(wo)").glossed


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
        ("国(guo)(AI)", "国(AI)"),  # the gloss goes, what follows stays
    ],
)
def test_remove_pinyin_glosses(raw, clean):
    assert remove_pinyin_glosses(raw) == clean


# The title line -----------------------------------------------------------------------

TITLE_LINES = [
    # (kind, line, title, keywords, warned)
    ("seed: a headline and three keywords",
     "让世界共享人工智能发展红利(和音),合作,国际,建设",
     "让世界共享人工智能发展红利(和音)", ["合作", "国际", "建设"], False),
    ("a headline with its own comma, alone",
     "稳增长,促改革", "稳增长,促改革", [], True),
    ("a headline with its own comma, then keywords",
     "稳增长,促改革,经济,政策", "稳增长,促改革", ["经济", "政策"], False),
    ("a keyword longer than eight characters",
     "第七届中国国际进口博览会在上海开幕,中国国际进口博览会,上海,贸易",
     "第七届中国国际进口博览会在上海开幕", ["中国国际进口博览会", "上海", "贸易"], False),
    ("a keyword with a space",
     "苹果在新系统中推出人工智能功能,Apple Intelligence,人工智能",
     "苹果在新系统中推出人工智能功能", ["Apple Intelligence", "人工智能"], False),
    ("a keyword with parentheses, full-width commas",
     "大模型加速走向千行百业的应用落地，智能体(agent)，人工智能，大模型",
     "大模型加速走向千行百业的应用落地", ["智能体(agent)", "人工智能", "大模型"], False),
    ("no comma: no keywords, nothing to warn about",
     "数字经济规模持续扩大", "数字经济规模持续扩大", [], False),
    ("one short term after a comma: unsure",
     "让世界共享人工智能发展红利,合作", "让世界共享人工智能发展红利,合作", [], True),
    ("more than six short terms: unsure",
     "多地出台新政支持产业发展,北京,上海,广州,深圳,杭州,成都,武汉",
     "多地出台新政支持产业发展,北京,上海,广州,深圳,杭州,成都,武汉", [], True),
    ("a clause after the comma is no keyword: unsure",
     "国务院部署稳增长工作,强调加快推进重大项目建设,经济",
     "国务院部署稳增长工作,强调加快推进重大项目建设,经济", [], True),
]  # fmt: skip


@pytest.mark.parametrize(
    "kind, line, title, keywords, warned", TITLE_LINES, ids=[t[0] for t in TITLE_LINES]
)
def test_title_line_splits_by_its_structure(kind, line, title, keywords, warned):
    got_title, got_keywords, warning = split_title_line(line)
    assert (got_title, got_keywords) == (title, keywords)
    assert bool(warning) == warned
    # Never drop text: every character of the line is in the title or a keyword.
    kept = got_title + "".join(got_keywords)
    assert re.sub(r"[,，\s]", "", kept) == re.sub(r"[,，\s]", "", line)


def test_an_unsure_title_line_is_a_warning_of_the_page():
    parsed = parse_reprint("业界新闻\n稳增长,促改革\n2024-12-05 14:32:26\n导语\n正文\n")
    assert parsed.title == "稳增长,促改革"
    assert parsed.keywords == []
    assert parsed.warnings and parsed.warnings[0].startswith("line 2:")


def test_control_and_zero_width_characters_are_removed():
    page_text = "业界新闻\n标\u200b题\x0b,标签\n2024-01-02 03:04:05\n导\ufeff语\u3000段落\n正文"
    parsed = parse_reprint(page_text)
    assert parsed.title == "标题,标签"  # one short term after the comma: kept whole
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
def test_seed_becomes_the_demo_article_with_its_original_text():
    from django.core.management import call_command

    call_command("load_demo_content", articles=0, stdout=io.StringIO())
    article = Article.objects.get(source__name="人民日报", featured=True)
    assert article.topic.name == "业界新闻"
    assert article.source.name == "人民日报"
    assert sorted(t.name for t in article.tags.all()) == sorted(["合作", "国际", "建设"])
    assert article.slug == "rang-shi-jie-gong-xiang-ye-sheng-zhi-neng-fa-zhan-hong-li-he-yin"
    assert article.body.count("<p>") == 6
    assert article.original_text == SEED.read_text(encoding="utf-8")
    assert Article.objects.published().filter(pk=article.pk).exists()
