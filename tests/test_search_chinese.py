"""
Chinese search by characters (issue 12), on SQLite and PostgreSQL alike: a
small version of bench/search_eval.py's corpus and query classes, each query
checked against the substring truth (the articles whose text contains it)
and for the same order on both databases; phrases, quotes, snippets cut on
word boundaries, highlights of whole phrases only, and ANALYZE after imports.
"""

import io
import json
import re
import unicodedata

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.ingest.importer import import_documents
from articles.ingest.sources import StreamDocument
from articles.models import Article
from articles.search.highlight import highlight, snippet
from articles.search.tokenize import parse_query
from tests.factories import make_article, make_topic, make_unpublished_variants

HOUR = timezone.timedelta(hours=1)

# name: (title, body); the newest first.
CORPUS = {
    "medicine": ("医药行业迎来新政", "中药和西药的价格监管进一步加强。"),
    "drug": ("这种药为何降价", "集中采购让药品更便宜。"),
    "economy": ("完善社会主义市场经济体制", "深化经济体制改革是重要任务。"),
    "market": ("市场经济的基本特征", "市场在资源配置中起决定性作用。"),
    "developing": ("发展中国家面临数字鸿沟", "国际社会应加强合作。"),
    "zhangjiang": ("张江科学城集聚具身智能企业", "上海张江的机器人订单排到了年底。"),
    "zhang-jiang-apart": ("张先生在江苏创业", "他的工厂生产无人机。"),
    "zhangjiagang": ("张家港港口吞吐量增长", "长江航运持续繁忙。"),
    "ai-model": ("AI大模型加速落地", "多家企业发布AI大模型，推理成本下降。"),
    "ai-spaced": ("AI 大模型与软件", "AI 大模型与传统软件的结合仍处早期。"),
    "openai": ("OpenAI发布新模型", "OpenAI的大模型能力再次提升。"),
    "5g": ("5G商用五周年", "5G基站超过三百万个，6G研发同步推进。"),
    "15g": ("15G存储卡上市", "容量并非越大越好。"),
    "ecny": ("数字人民币试点扩大", "市民可在地铁使用数字人民币支付。"),
    "apple": ("苹果发布Apple Intelligence", "iPhone手机将支持更多端侧功能。"),
    "apple-apart": ("Apple新品发布会", "Intelligence 一词频繁出现。"),
    "peoples-daily": ("人民日报评论", "人民日报发表评论文章指出，要坚持改革开放。"),
}

# The query classes of bench/search_eval.py, a few each.
QUERIES = [
    "药",  # 1 character: inside 医药, 中药, 药品, 药价
    "港",
    "医药",  # 2 characters
    "市场",
    "市场经济",  # 3-4 characters: inside 市场经济体制 too
    "经济体制",
    "中国",  # inside 发展中国家: what the text holds
    "具身智能",  # a new compound jieba does not know
    "数字人民币",
    "5G",  # English: a whole word, not inside 15G
    "OpenAI",
    "AI",
    "AI大模型",  # mixed: a phrase, not AI 大模型 or OpenAI的大模型
    "5G商用",
    "张江",  # names: together, not 张先生在江苏
    "张家港",
    "人民日报",
    "张江 机器人",  # two words: both, anywhere
    "Apple Intelligence",
    "大模型 OpenAI",
]


def fold(text):
    return unicodedata.normalize("NFKC", text).lower()


def contains(text, part):
    for match in re.finditer(re.escape(part), text):
        before = text[match.start() - 1] if match.start() else " "
        after = text[match.end()] if match.end() < len(text) else " "
        latin_start = part[0].isascii() and part[0].isalnum()
        latin_end = part[-1].isascii() and part[-1].isalnum()
        if not (latin_start and before.isascii() and before.isalnum()) and not (
            latin_end and after.isascii() and after.isalnum()
        ):
            return True
    return False


def truth(query):
    """The articles whose title or body contains every part of the query."""
    parts = [fold(p) for p in query.split()]
    return {
        name
        for name, (title, body) in CORPUS.items()
        if all(contains(fold(title), p) or contains(fold(body), p) for p in parts)
    }


@pytest.fixture
def corpus(db):
    now = timezone.now()
    topic = make_topic("测评", slug="ce-ping")
    articles = {
        name: make_article(
            title=title,
            standfirst="",
            body=f"<p>{body}</p>",
            topic=topic,
            published_at=now - n * HOUR,
        )
        for n, (name, (title, body)) in enumerate(CORPUS.items(), start=1)
    }
    # Invisible articles holding every query: never found.
    make_unpublished_variants(topic=topic, prefix=" ".join(QUERIES))
    return articles


def found(client, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    return re.findall(
        r'<h2 class="article-item-title"><a href="([^"]*)">', response.content.decode()
    )


def names(corpus, urls):
    by_url = {article.get_absolute_url(): name for name, article in corpus.items()}
    return [by_url.get(url, url) for url in urls]


@pytest.mark.parametrize("query", QUERIES)
def test_every_query_class_finds_exactly_what_the_text_holds(client, corpus, query):
    got = names(corpus, found(client, query))
    assert set(got) == truth(query), query
    assert len(got) == len(set(got))


# The order, the same on both databases (this file runs on each).
ORDERED = [
    # Title matches first (a title word of its own above a title that only
    # contains it), then the newest.
    ("药", ["drug", "medicine"]),  # 药 a word of the title; inside 医药
    ("市场经济", ["market", "economy"]),  # a word of the title; inside 市场经济体制
    ("张江", ["zhangjiang"]),
    ("港", ["zhangjiagang"]),
    ("AI大模型", ["ai-model"]),
    ("AI", ["ai-model", "ai-spaced"]),
    ("Apple Intelligence", ["apple", "apple-apart"]),
    ('"Apple Intelligence"', ["apple"]),
]


@pytest.mark.parametrize("query, expected", ORDERED, ids=[q for q, _ in ORDERED])
def test_results_come_in_the_same_order_on_every_database(client, corpus, query, expected):
    assert names(corpus, found(client, query)) == expected


def test_a_query_of_single_characters_is_a_phrase():
    (part,) = parse_query("张江").parts
    assert part.text == "张江"
    (part,) = parse_query("张 江").parts[:1]
    assert part.text == "张"  # spaced: two parts, each anywhere


def test_highlights_mark_whole_phrases_and_characters_inside_words():
    assert (
        str(highlight("张先生在张江创业", parse_query("张江").parts))
        == "张先生在<mark>张江</mark>创业"
    )
    assert (
        str(highlight("中药和医药", parse_query("药").parts))
        == "中<mark>药</mark>和医<mark>药</mark>"
    )
    assert str(highlight("AI 大模型与AI大模型", parse_query("AI大模型").parts)) == (
        "AI 大模型与<mark>AI大模型</mark>"
    )


def test_snippets_are_cut_on_word_boundaries():
    text = "人工智能" * 10 + "赞比亚" + "今天人民日报发表评论文章指出要坚持改革开放" * 10
    result = str(snippet(text, parse_query("赞比亚").parts, length=60))
    assert "<mark>赞比亚</mark>" in result
    body = result.strip("…").replace("<mark>", "").replace("</mark>", "")
    start, end = text.index(body), text.index(body) + len(body)
    # Neither end falls inside a word: 人民日报 is never cut to 人民日.
    for cut in (start, end):
        for word in ("人民日报", "人工智能", "改革开放", "评论文章"):
            for occurrence in re.finditer(word, text):
                assert not occurrence.start() < cut < occurrence.end(), (cut, word)


@pytest.mark.django_db
def test_an_import_of_more_than_a_few_hundred_rows_ends_with_analyze():
    topic = make_topic("业界新闻")

    def imported(count):
        lines = [
            json.dumps({"title": f"文章{count}-{n}", "body": "<p>正文</p>", "topic": topic.name})
            for n in range(count)
        ]
        data = io.BytesIO("\n".join(lines).encode())
        with CaptureQueriesContext(connection) as ctx:
            import_documents([StreamDocument(f"{count}.jsonl", data)])
        return [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("ANALYZE")]

    assert imported(10) == []
    analyzed = imported(301)
    if connection.vendor == "postgresql":
        assert analyzed == ['ANALYZE "articles_article"']
    else:
        assert analyzed == []
    assert Article.objects.count() == 311
