"""
Search (articles.search): one shared set of cases that must give the same
articles in the same order on SQLite and on PostgreSQL (the suite runs on
both), the publication rule (nothing unpublished is found or quoted), bad
input, the index kept in step with saves, bulk writes and schema changes,
the rebuild command, and a fixed query count per search page.
"""

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from articles.changes import articles_changed, articles_written
from articles.models import Article
from articles.search import views as search_views
from articles.search.backends import get_backend
from articles.search.highlight import highlight, snippet
from articles.search.tokenize import article_terms, parse_query, title_words
from tests.factories import make_article, make_source, make_topic, make_unpublished_variants

HOUR = dt.timedelta(hours=1)
SEARCH_URL = "/search/"


# Helpers ------------------------------------------------------------------


def search(client, expected_status=200, language=None, **params):
    headers = {"accept-language": language} if language else {}
    response = client.get(SEARCH_URL, params, headers=headers)
    assert response.status_code == expected_status, (params, response.status_code)
    return response


def result_urls(response):
    """Article URLs of the results, in order."""
    return re.findall(
        r'<h2 class="article-item-title"><a href="([^"]*)">', response.content.decode()
    )


def main_content(response):
    return re.search(r"<main\b.*?</main>", response.content.decode(), re.S).group(0)


def count_queries(client, params):
    """(all queries, search queries) of one search page."""
    with CaptureQueriesContext(connection) as ctx:
        search(client, **params)
    sql = [q["sql"] for q in ctx.captured_queries]
    searching = [s for s in sql if "articles_article_search" in s or "search_vector" in s]
    return len(sql), len(searching)


# The shared corpus ----------------------------------------------------------

# name: (title, standfirst, body, hours ago, topic)
CORPUS = {
    "ai-chip": (
        "人工智能芯片产业加快发展",
        "国产芯片企业加大研发投入。",
        "<p>业内人士认为，人工智能将带动<strong>半导体</strong>需求。</p>",
        1,
        "tech",
    ),
    "ai-body": (
        "数据中心建设提速",
        "算力需求增长。",
        "<p>人工智能训练需要大量算力，监管部门出台指引。</p>",
        2,
        "tech",
    ),
    "labour": (
        "人工成本持续上升",
        "制造业用工紧张。",
        "<p>智能制造成为企业的选择。</p>",
        3,
        "industry",
    ),
    "byd": (
        "比亚迪发布新车型",
        "新能源汽车销量增长。",
        "<p>比亚迪股价上涨。</p>",
        4,
        "industry",
    ),
    "chatgpt": (
        "ChatGPT 引发监管讨论",
        "各国加快制定生成式人工智能规则。",
        "<p>OpenAI 推出的 ChatGPT 用户数持续增长，监管机构关注数据安全。</p>",
        5,
        "tech",
    ),
    "economy": (
        "数字经济规模扩大",
        "数字技术与实体经济加快融合。",
        "<p>企业数字化转型提速。</p>",
        6,
        "industry",
    ),
    "5g": (
        "5G网络覆盖所有地级市",
        "基站建设带动芯片采购，税率保持不变。",
        "<p>运营商表示，5G 用户规模继续扩大。</p>",
        10,
        "tech",
    ),
    "tax": (
        "税收优惠政策延续",
        "小微企业继续减负。",
        "<p>财政部发布公告。</p>",
        20,
        "industry",
    ),
    "zambia": (
        "我国和赞比亚在联合国总部举办研讨会",
        "弥合数字鸿沟，共享人工智能发展红利。",
        "<p>当地时间12月3日，我国和赞比亚在纽约联合国总部共同举办人工智能能力建设研讨会。</p>",
        30,
        "world",
    ),
    "divide": (
        "联合国报告：数字鸿沟仍在扩大",
        "发展中国家网络普及率偏低。",
        "<p>报告呼吁加强国际合作。</p>",
        40,
        "world",
    ),
    "semiconductor": (
        "半导体材料价格上涨",
        "供应链趋紧。",
        "<p>多家半导体企业表示订单饱满。</p>",
        50,
        "tech",
    ),
    "chatgpt-lower": (
        "openai 发布新版 chatgpt",
        "英文名称大小写不同。",
        "<p>新版 CHATGPT 支持更多语言。</p>",
        70,
        "world",
    ),
}

# Every search word of the shared cases, in every invisible article.
HIDDEN_WORDS = "人工智能 芯片 赞比亚 联合国 数字鸿沟 半导体 ChatGPT 5G 税收 监管 "
# A word only invisible articles contain: it must never be found or quoted.
SECRET = "机密词语"

# Query -> expected result names, in order: title matches first (by how many of
# the query's words the title has), then the newest. Identical on both databases.
SHARED_CASES = [
    ("人工智能", ["ai-chip", "ai-body", "chatgpt", "zambia"]),
    ("芯片", ["ai-chip", "5g"]),
    ("赞比亚", ["zambia"]),
    ("联合国", ["divide", "zambia"]),  # a word of its own in the title of "divide"
    ("数字鸿沟", ["divide", "zambia"]),
    ("半导体", ["semiconductor", "ai-chip"]),
    ("ChatGPT", ["chatgpt", "chatgpt-lower"]),
    ("chatgpt", ["chatgpt", "chatgpt-lower"]),
    ("CHATGPT", ["chatgpt", "chatgpt-lower"]),
    ("ＣｈａｔＧＰＴ", ["chatgpt", "chatgpt-lower"]),
    ("5G", ["5g"]),
    ("5g", ["5g"]),
    ("ChatGPT 监管", ["chatgpt"]),
    ("人工智能 监管", ["chatgpt", "ai-body"]),
    ("人工智能，芯片！", ["ai-chip"]),
    # One character, inside any word (税收, 税率).
    ("税", ["tax", "5g"]),
    ("比亚迪", ["byd"]),
    # Inside 人工智能 and 人工成本: two titles contain it, then the newest.
    ("人工", ["ai-chip", "labour", "ai-body", "chatgpt", "zambia"]),
    ("量子计算", []),
]


@pytest.fixture
def corpus(db):
    now = timezone.now()
    topics = {
        slug: make_topic(name, slug=slug)
        for slug, name in [
            ("tech", "科技前沿"),
            ("industry", "业界新闻"),
            ("world", "国际视野"),
        ]
    }
    articles = {
        name: make_article(
            title=title,
            standfirst=standfirst,
            body=body,
            published_at=now - hours * HOUR,
            topic=topics[topic],
        )
        for name, (title, standfirst, body, hours, topic) in CORPUS.items()
    }
    hidden = make_unpublished_variants(topic=topics["tech"], prefix=HIDDEN_WORDS)
    # Their text, written in bulk as an importer would, then announced.
    ids = [a.pk for a in hidden.values()]
    Article.objects.filter(pk__in=ids).update(
        standfirst=f"{HIDDEN_WORDS}{SECRET}", body=f"<p>{SECRET}：{HIDDEN_WORDS}</p>"
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        articles_written(ids, reindex_ids=ids)
    return {"articles": articles, "hidden": hidden, "topics": topics, "now": now}


def urls(corpus, names):
    return [corpus["articles"][name].get_absolute_url() for name in names]


# The shared cases -----------------------------------------------------------


@pytest.mark.parametrize("query, expected", SHARED_CASES, ids=[q for q, _ in SHARED_CASES])
def test_shared_search_cases_find_the_same_articles_in_the_same_order(
    client, corpus, query, expected
):
    response = search(client, q=query)
    assert result_urls(response) == urls(corpus, expected)


def test_results_show_title_time_topic_and_a_highlighted_snippet(client, corpus):
    response = search(client, q="赞比亚")
    html = main_content(response)
    article = corpus["articles"]["zambia"]
    assert '<a href="/articles/' in html
    assert "我国和<mark>赞比亚</mark>在联合国总部举办研讨会" in html
    assert article.topic.name in html
    assert timezone.localtime(article.published_at).strftime("%Y-%m-%d %H:%M") in html
    # Plain text from the body, the word marked, no markup of the body itself.
    assert "我国和<mark>赞比亚</mark>在纽约联合国总部" in html
    assert "<p>当地时间" not in html


def test_topic_and_date_filters_narrow_the_results(client, corpus):
    assert result_urls(search(client, q="人工智能", topic="tech")) == urls(
        corpus, ["ai-chip", "ai-body", "chatgpt"]
    )
    assert result_urls(search(client, q="人工智能", topic="world")) == urls(corpus, ["zambia"])
    # Dates are whole days in the site's time zone, both ends included.
    zambia_day = timezone.localdate(corpus["articles"]["zambia"].published_at)
    day = zambia_day.isoformat()
    response = search(client, q="人工智能", **{"from": day, "to": day})
    assert result_urls(response) == urls(corpus, ["zambia"])
    before = (zambia_day - dt.timedelta(days=1)).isoformat()
    assert result_urls(search(client, q="人工智能", to=before)) == []
    newest = timezone.localdate(corpus["now"]).isoformat()
    assert urls(corpus, ["ai-chip"])[0] in result_urls(
        search(client, q="人工智能", **{"from": newest})
    )


def test_unknown_topic_finds_nothing(client, corpus):
    response = search(client, q="人工智能", topic="no-such-topic")
    assert result_urls(response) == []


# The publication rule -------------------------------------------------------


def test_unpublished_articles_are_never_found(client, corpus):
    kinds = {"draft", "review", "approved", "unpublished", "scheduled", "expired"}
    assert kinds <= set(corpus["hidden"])
    # They are in the index, with every word of the shared cases ...
    for article in corpus["hidden"].values():
        article.refresh_from_db()
        assert set(parse_query(SECRET).terms) <= set(article.search_text.split())
        assert "人工智能" in article.search_title.split()
    # ... yet no search finds them, and nothing of their text is ever quoted.
    for query in [q for q, _ in SHARED_CASES] + [SECRET, HIDDEN_WORDS]:
        response = search(client, q=query)
        html = main_content(response)
        assert SECRET not in html.replace(escape(query), "")
        for kind, article in corpus["hidden"].items():
            assert article.get_absolute_url() not in html, (kind, query)
    assert result_urls(search(client, q=SECRET)) == []


def test_an_article_is_found_once_published_and_no_longer_when_unpublished(client, corpus):
    draft = corpus["hidden"]["draft"]
    assert draft.get_absolute_url() not in result_urls(search(client, q=SECRET))
    # No re-indexing: visibility is decided at query time.
    Article.objects.filter(pk=draft.pk).update(status=Article.Status.PUBLISHED)
    articles_changed.send(sender=Article, ids=[draft.pk])  # for cached pages, no re-index
    assert result_urls(search(client, q=SECRET)) == [draft.get_absolute_url()]
    Article.objects.filter(pk=draft.pk).update(status=Article.Status.UNPUBLISHED)
    articles_changed.send(sender=Article, ids=[draft.pk])
    assert result_urls(search(client, q=SECRET)) == []


# Bad input ------------------------------------------------------------------

HARMLESS_QUERIES = [
    "",
    "   ",
    "\u3000\u3000",
    "😀",
    "😀人工智能🚀",
    '"',
    '"人工智能',
    "&",
    "|",
    "!",
    ":*",
    "税:*",
    "(",
    ")",
    "-",
    "--",
    "OR",
    "人工智能 OR 芯片",
    "人工智能 & 芯片 | !半导体",
    "NOT 人工智能",
    "NEAR(人工 智能)",
    "title:人工智能",
    "{search_text}: 人工",
    "*",
    "^人工",
    "'",
    "'; DROP TABLE articles_article; --",
    "\\",
    "%",
    "_",
    "%人工%",
    "<script>alert(1)</script>",
    "ｆｕｌｌ－ｗｉｄｔｈ（５Ｇ）",
    "a" * 100,
    "人" * 100,
    "的 了 在 是 和 与 及 之 也 就 都 而 并 或 等 被 把 对 从 向 于",
]


@pytest.mark.parametrize("query", HARMLESS_QUERIES)
def test_odd_queries_give_a_normal_page(client, corpus, query):
    response = search(client, q=query)
    assert "<form" in response.content.decode()


def test_operators_are_plain_words(client, corpus):
    # Operators are dropped; the words around them are all required.
    assert result_urls(search(client, q='"人工智能" & (芯片)')) == urls(corpus, ["ai-chip"])
    assert result_urls(search(client, q="-人工智能 芯片:*")) == urls(corpus, ["ai-chip"])


@pytest.mark.parametrize(
    "params, message",
    [
        ({"q": "a" * 101}, "at most 100"),
        ({"q": "人" * 10_000}, "at most 100"),
        ({"q": "人工\x00智能"}, "Null characters"),
        ({"q": "人工智能", "from": "2024-13-01"}, "YYYY-MM-DD"),
        ({"q": "人工智能", "from": "yesterday"}, "YYYY-MM-DD"),
        ({"q": "人工智能", "to": "2024-02-30"}, "YYYY-MM-DD"),
        ({"q": "人工智能", "from": "0001-01-01"}, "1000"),
        ({"q": "人工智能", "to": "9999-12-31"}, "1000"),
        ({"q": "人工智能", "from": "2024-05-02", "to": "2024-05-01"}, "before the start"),
        ({"q": "人工智能", "topic": "人工智能"}, "slug"),
        ({"q": "人工智能", "topic": "../etc/passwd"}, "slug"),
    ],
)
def test_invalid_input_answers_400_with_a_message(client, corpus, params, message):
    response = search(client, expected_status=400, language="en", **params)
    assert message in main_content(response)
    assert result_urls(response) == []


def test_undecodable_query_string_is_harmless(client, corpus):
    response = client.get(SEARCH_URL + "?q=%FF%FE%00&topic=%C0")
    assert response.status_code in (200, 400)


@pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5", "2", "99999", "9" * 100])
def test_pages_outside_the_results_answer_404(client, corpus, page):
    assert client.get(SEARCH_URL, {"q": "人工智能", "page": page}).status_code == 404


def test_results_are_capped_and_paged(client, corpus, monkeypatch):
    monkeypatch.setattr(search_views.SearchView, "paginate_by", 2)
    monkeypatch.setattr(search_views, "MAX_RESULTS", 3)
    first = search(client, q="人工智能")
    second = search(client, q="人工智能", page=2)
    assert result_urls(first) + result_urls(second) == urls(
        corpus, ["ai-chip", "ai-body", "chatgpt"]
    )
    capped = main_content(search(client, q="人工智能", language="en"))
    assert "More than 3 articles found" in capped
    assert client.get(SEARCH_URL, {"q": "人工智能", "page": 3}).status_code == 404


def test_escapes_article_text_and_highlights_only_with_mark(client, db):
    make_article(
        title="<script>alert(1)</script> 人工智能 & 芯片",
        standfirst='"引号" <b>人工智能</b> &amp;',
        body="<p>正文</p>",
    )
    html = main_content(search(client, q="人工智能"))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>人工智能</mark> &amp; 芯片" in html
    assert "&quot;引号&quot; &lt;b&gt;<mark>人工智能</mark>&lt;/b&gt; &amp;amp;" in html


# HTTP -----------------------------------------------------------------------


def test_search_box_on_every_page_and_search_pages_are_cacheable(client, corpus):
    home = client.get("/")
    assert 'action="/search/"' in home.content.decode()
    response = search(client, q="人工智能")
    assert "public" in response["Cache-Control"]
    assert "Cookie" not in response.get("Vary", "")
    assert not response.cookies
    assert 'name="csrfmiddlewaretoken"' not in response.content.decode()
    assert 'name="robots" content="noindex' in response.content.decode()
    # The query stays in the search box.
    assert 'value="人工智能"' in response.content.decode()


def test_query_count_is_constant(client, corpus):
    params = {"q": "人工智能", "topic": "tech", "from": "2000-01-01", "to": "2999-12-31"}

    def counts():
        return {
            "plain": count_queries(client, {"q": "人工智能"}),
            "filtered": count_queries(client, params),
        }

    small = counts()
    topic, source = corpus["topics"]["tech"], make_source()
    for n in range(30):
        make_article(
            title=f"人工智能第{n}篇", body=f"<p>人工智能与芯片 {n}</p>", topic=topic, source=source
        )
    large = counts()
    assert small == large
    # One query finds and orders the matches (and so counts them), one loads
    # the page's articles with topic and source; the rest is the page around
    # them (the topic menu).
    for total, searching in large.values():
        assert searching == 1
        assert total <= 4
    assert count_queries(client, {"q": "人工智能", "page": 2}) == large["plain"]
    # No words to look for: no search at all.
    assert count_queries(client, {"q": "😀"})[1] == 0


# Keeping the index in step -----------------------------------------------------


def test_saving_an_article_reindexes_it(client, db):
    article = make_article(title="光伏组件出口增长")
    assert result_urls(search(client, q="光伏")) == [article.get_absolute_url()]
    article.title = "储能电站并网"
    article.save()
    assert result_urls(search(client, q="光伏")) == []
    assert result_urls(search(client, q="储能")) == [article.get_absolute_url()]
    article.body = "<p>海上风电</p>"
    article.save(update_fields=["body"])
    assert result_urls(search(client, q="风电")) == [article.get_absolute_url()]


def test_a_save_that_leaves_the_text_alone_writes_nothing_more(db):
    article = make_article(title="光伏组件出口增长")
    article.refresh_from_db()
    with CaptureQueriesContext(connection) as ctx:
        article.featured = True
        article.save()
    statements = [q["sql"] for q in ctx.captured_queries]
    assert len([sql for sql in statements if sql.startswith("UPDATE")]) == 1, statements
    assert not any("articles_article_search" in sql for sql in statements)


def test_bulk_update_and_bulk_create_are_indexed_when_announced(
    client, db, django_capture_on_commit_callbacks
):
    topic = make_topic()
    article = make_article(title="光伏组件出口增长", topic=topic)
    Article.objects.filter(pk=article.pk).update(title="氢能产业起步")
    # QuerySet.update() bypasses save(): the writer announces it, and the
    # index follows once the transaction commits.
    assert result_urls(search(client, q="氢能")) == []
    with django_capture_on_commit_callbacks(execute=True):
        articles_written([article.pk], reindex_ids=[article.pk])
    assert result_urls(search(client, q="氢能")) == [article.get_absolute_url()]
    assert result_urls(search(client, q="光伏")) == []

    now = timezone.now()
    created = Article.objects.bulk_create(
        [
            Article(
                title=f"低空经济试点{n}",
                slug=f"di-kong-{n}",
                body="<p>无人机物流</p>",
                topic=topic,
                status=Article.Status.PUBLISHED,
                published_at=now - n * HOUR,
            )
            for n in range(1, 4)
        ]
    )
    assert result_urls(search(client, q="低空经济")) == []
    ids = [a.pk for a in created]
    with django_capture_on_commit_callbacks(execute=True):
        articles_written(ids, reindex_ids=ids)
        assert result_urls(search(client, q="低空经济")) == []  # not before the commit
    assert result_urls(search(client, q="低空经济")) == [a.get_absolute_url() for a in created]


def test_an_index_failure_never_fails_the_write_and_is_logged_once(
    db, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    from articles.search import index as search_index

    def broken(*args, **kwargs):
        raise RuntimeError("segmenter crashed")

    monkeypatch.setattr(search_index, "index_article", broken)
    monkeypatch.setattr(search_index, "index_articles", broken)
    article = make_article(title="光伏组件出口增长")  # saved, though not indexed
    assert Article.objects.filter(pk=article.pk, title="光伏组件出口增长").exists()
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1 and f"--ids {article.pk}" in errors[0].getMessage()
    caplog.clear()
    with django_capture_on_commit_callbacks(execute=True):
        articles_written([article.pk], reindex_ids=[article.pk])  # no exception
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1 and "rebuild_search_index --ids" in errors[0].getMessage()


def test_emptying_the_trash_removes_articles_from_the_index(client, db):
    from articles import workflow
    from tests.factories import make_user

    chief = make_user("chief")
    article = make_article(title="光伏组件出口增长")
    pk = article.pk
    workflow.trash(article, by=chief)
    workflow.empty_trash(by=chief)
    assert result_urls(search(client, q="光伏")) == []
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM articles_article_search WHERE rowid = %s", [pk])
            assert cursor.fetchone()[0] == 0


@pytest.mark.django_db(transaction=True)
def test_index_survives_a_schema_change_that_rebuilds_the_table(client):
    """SQLite rebuilds the table for most AlterField operations (and drops triggers)."""
    before = make_article(title="光伏组件出口增长")
    field = Article._meta.get_field("byline")
    wider = field.clone()
    wider.set_attributes_from_name("byline")
    wider.max_length = 300
    wider.model = Article
    try:
        with connection.schema_editor() as editor:
            editor.alter_field(Article, field, wider)
        assert result_urls(search(client, q="光伏")) == [before.get_absolute_url()]
        after = make_article(title="光伏电站并网")
        assert result_urls(search(client, q="光伏")) == [
            after.get_absolute_url(),
            before.get_absolute_url(),
        ]
        after.title = "储能电站并网"
        after.save()
        assert result_urls(search(client, q="储能")) == [after.get_absolute_url()]
    finally:
        with connection.schema_editor() as editor:
            editor.alter_field(Article, wider, field)
        for article in Article.objects.all():
            article.delete()


def test_rebuild_command_restores_the_index(client, corpus):
    backend = get_backend()
    backend.store([(a.pk, "", "", "") for a in corpus["articles"].values()])
    assert result_urls(search(client, q="人工智能")) == []

    out, err = io.StringIO(), io.StringIO()
    call_command("rebuild_search_index", stdout=out, stderr=err)
    assert f"Indexed {Article.objects.count()} articles" in out.getvalue()
    assert "100%" in err.getvalue()  # the progress bar
    cache.clear()  # pages cached before the rebuild (articles.cache) would expire on their own
    assert result_urls(search(client, q="人工智能")) == urls(
        corpus, ["ai-chip", "ai-body", "chatgpt", "zambia"]
    )


def test_offline_rebuild_builds_the_index_again(client, corpus):
    get_backend().store([(a.pk, "", "", "") for a in corpus["articles"].values()])
    call_command("rebuild_search_index", "--offline", "--no-progress", stdout=io.StringIO())
    assert result_urls(search(client, q="人工智能")) == urls(
        corpus, ["ai-chip", "ai-body", "chatgpt", "zambia"]
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'article_search_vector_idx'")
            assert cursor.fetchone()


def test_rebuild_command_can_reindex_only_articles_containing_a_word(client, corpus):
    backend = get_backend()
    backend.store([(a.pk, "", "", "") for a in corpus["articles"].values()])
    out = io.StringIO()
    call_command("rebuild_search_index", "--containing", "联合国", "--no-progress", stdout=out)
    # The two published ones and every hidden variant (whose text has 联合国 too).
    assert f"Indexed {2 + len(corpus['hidden'])} articles" in out.getvalue()
    cache.clear()
    assert result_urls(search(client, q="联合国")) == urls(corpus, ["divide", "zambia"])
    assert result_urls(search(client, q="芯片")) == []


def test_search_code_never_imports_django_contrib_postgres():
    """It imports psycopg: a SQLite-only installation must not need it."""
    root = Path(__file__).resolve().parent.parent / "articles"
    files = [
        *root.joinpath("search").glob("*.py"),
        root / "management/commands/rebuild_search_index.py",
    ]
    for path in files:
        assert "django.contrib.postgres" not in path.read_text(encoding="utf-8"), path


# Segmentation and highlighting ----------------------------------------------


def test_documents_index_characters_pairs_and_whole_words():
    terms = article_terms("人工智能与半导体", "ChatGPT-4o 与 ５Ｇ", "<p>赞比亚</p>")
    text = terms.text.split()
    assert {"人", "工", "人工", "工智", "智能", "与", "半导", "导体"} <= set(text)
    assert {"chatgpt", "4o", "5g", "赞比", "比亚"} <= set(text)
    # Words are whole: no 5 or g.
    assert not {"5", "g", "gpt", "4"} & set(text)
    assert terms.plain == "人工智能与半导体\nchatgpt-4o 与 5g\n赞比亚"
    # The title's words, then its text, for ranking.
    assert terms.title == " 人工智能 与 半导体 \n人工智能与半导体"
    # Inline markup does not split a word; block boundaries do.
    assert "智能" in article_terms("", "", "<p>人工<b>智能</b></p>").text.split()
    assert "ab" not in article_terms("", "", "<p>a</p><p>b</p>").text.split()


def test_newsroom_dictionary_keeps_current_terms_whole_in_titles():
    assert title_words("数字鸿沟") == ["数字鸿沟"]
    assert title_words("大模型") == ["大模型"]


def parts(query):
    return [(p.text, list(p.terms), p.exact) for p in parse_query(query).parts]


def test_queries_are_parts_and_phrases():
    # Spaces and punctuation separate parts, each required anywhere.
    assert parts("ChatGPT 监管，税 ChatGPT") == [
        ("chatgpt", ["chatgpt"], True),
        ("监管", ["监管"], True),
        ("税", ["税"], True),
    ]
    # Typed without spaces: a phrase, checked against the text.
    assert parts("AI大模型") == [("ai大模型", ["ai", "大模", "模型"], False)]
    assert parts("张江") == [("张江", ["张江"], True)]
    assert parts("市场经济") == [("市场经济", ["市场", "场经", "经济"], False)]
    # Quotes make a phrase of what they enclose.
    assert parts('"Apple Intelligence" 发布') == [
        ("apple intelligence", ["apple", "intelligence"], False),
        ("发布", ["发布"], True),
    ]
    assert parse_query('"&|!:*()-').parts == ()
    assert len(parse_query(" ".join(f"词{n}" for n in range(50))).terms) == 10


def test_highlight_maps_full_width_text_and_escapes():
    terms = parse_query("chatgpt 5g").parts
    assert str(highlight("ＣｈａｔＧＰＴ与<5G>，15g", terms)) == (
        "<mark>ＣｈａｔＧＰＴ</mark>与&lt;<mark>5G</mark>&gt;，15g"
    )
    long = "前文" * 100 + "ChatGPT" + "后文" * 100
    text = str(snippet(long, terms))
    assert text.startswith("…") and text.endswith("…")
    assert "<mark>ChatGPT</mark>" in text
