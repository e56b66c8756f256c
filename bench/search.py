"""
Search benchmark on PostgreSQL: generate articles, build the index, time searches.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/search.py --articles 200000

Works in its own database (`newsroom_bench_search` on the DATABASE_URL server,
created if missing; never the application's database). Generates N Chinese
articles of about 1,500 characters straight into the table with COPY (no
search terms yet), then times `index_articles()`, the code behind
`manage.py rebuild_search_index`, and reports the index size, the median and
95th percentile of the search page's database queries and of the whole page
over 100 one- and two-word queries, and the number of queries per page.
The articles are kept for the next run (`--regenerate` to start again).
Results go to bench/results/ as JSON.
"""

import argparse
import itertools
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATABASE = "newsroom_bench_search"


def words(text):
    return text.split()


# Function words and common words first: the list order is the frequency rank.
COMMON = words("""的 了 在 是 和 与 及 对 将 也 等 为 从 向 把 被 以 并 而 其 这 该 一 个 中 上 下
今年 去年 目前 已经 正在 进一步 持续 不断 加快 推动 促进 加强 提升 实现 建设 发展 合作
表示 认为 指出 介绍 显示 数据 报告 企业 行业 市场 产业 技术 创新 政策 国际 全球 国内
地区 城市 政府 部门 机构 专家 人士 消费者 用户 项目 规模 增长 下降 同比 环比 投资 资金
方面 领域 体系 标准 服务 平台 能力 水平 质量 效率 需求 供给 价格 成本 收入 利润""")
TOPICAL = words("""出口 进口 贸易 经济 金融 银行 保险 证券 基金 股票 债券 汇率 利率 通胀 就业 消费
制造业 服务业 农业 工业 能源 电力 煤炭 石油 天然气 钢铁 化工 建材 汽车 电池 锂电 光伏
风电 储能 氢能 核电 电网 充电桩 新能源 新能源汽车 智能 数字 网络 信息 软件 硬件 芯片
半导体 集成电路 晶圆 光刻机 人工智能 大模型 算力 算法 数据中心 云计算 物联网 区块链
机器人 自动驾驶 无人机 卫星 航天 5G 6G 通信 运营商 基站 手机 电脑 屏幕 医药 医疗 疫苗
生物 健康 教育 文化 旅游 体育 房地产 住房 土地 基础设施 交通 铁路 公路 港口 航运 物流
快递 电商 跨境电商 直播 零售 餐饮 食品 粮食 农村 乡村振兴 环境 生态 碳中和 碳达峰 减排
绿色 低碳 气候 水资源 污染 治理 监管 法律 法规 条例 办法 通知 意见 规划 方案 改革 开放
税收 税率 关税 财政 补贴 减税 降费 审批 许可 知识产权 专利 安全 风险 挑战 机遇 趋势 前景
未来 战略 布局 转型 升级 融合 协同 共享 包容 可持续 高质量 现代化 数字经济 数字鸿沟
实体经济 供应链 产业链 价值链 北京 上海 深圳 广州 杭州 成都 武汉 西安 南京 苏州 天津
重庆 香港 澳门 美国 欧盟 日本 韩国 德国 法国 英国 俄罗斯 印度 巴西 南非 赞比亚 肯尼亚
尼日利亚 埃及 沙特 阿联酋 新加坡 印尼 越南 泰国 马来西亚 澳大利亚 加拿大 墨西哥 联合国
世界银行 世贸组织 二十国集团 金砖国家 东盟 非盟 一带一路 日内瓦 纽约 布鲁塞尔 华为 小米
比亚迪 宁德时代 腾讯 阿里巴巴 百度 京东 字节跳动 中芯国际 台积电 英伟达 苹果 特斯拉 微软
谷歌 三星 英特尔 ChatGPT OpenAI AI GPU iPhone GDP CPI PMI IPO ESG""")
ACTIONS = ["迎来新一轮政策支持", "产业规模持续扩大", "企业加快布局", "国际合作取得新进展",
           "标准体系逐步完善", "市场需求稳步回升", "面临新的挑战", "发布最新报告"]  # fmt: skip
PUNCTUATION = ["，", "，", "，", "。", "；", "、"]

# 100 realistic queries: 60 one-word, 40 two-word.
ONE_WORD = words("""人工智能 芯片 半导体 赞比亚 联合国 数字鸿沟 ChatGPT 5G 新能源汽车 光伏 碳中和 监管
税收 关税 储能 氢能 大模型 算力 数据中心 区块链 机器人 自动驾驶 一带一路 跨境电商 供应链
产业链 华为 比亚迪 宁德时代 台积电 英伟达 OpenAI GPU iPhone GDP 世贸组织 东盟 肯尼亚
尼日利亚 日内瓦 布鲁塞尔 疫苗 医药 房地产 乡村振兴 知识产权 光刻机 晶圆 集成电路 卫星
航天 6G 充电桩 锂电 天然气 粮食 快递 直播 税 药""")
TWO_WORDS = [
    "人工智能 监管", "ChatGPT 监管", "芯片 出口", "半导体 美国", "联合国 气候", "赞比亚 合作",
    "数字鸿沟 联合国", "5G 基站", "新能源汽车 电池", "光伏 出口", "碳中和 能源", "大模型 算力",
    "华为 芯片", "比亚迪 新能源汽车", "宁德时代 锂电", "台积电 晶圆", "英伟达 GPU", "OpenAI ChatGPT",
    "一带一路 港口", "跨境电商 物流", "供应链 风险", "产业链 升级", "房地产 政策", "关税 贸易",
    "税收 优惠", "数据中心 电力", "自动驾驶 汽车", "机器人 制造业", "区块链 金融", "疫苗 医药",
    "东盟 贸易", "欧盟 监管", "日本 半导体", "印度 手机", "北京 人工智能", "上海 芯片",
    "深圳 无人机", "杭州 电商", "GDP 增长", "CPI 价格",
]  # fmt: skip


def zipf_weights(n, s=1.0, offset=2.7):
    return [1 / (rank + offset) ** s for rank in range(n)]


def jieba_dictionary():
    """(word, frequency) of jieba's own dictionary: real Chinese word frequencies."""
    import jieba

    path = Path(jieba.__file__).with_name("dict.txt")
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        word, freq, *_ = line.split(" ")
        if all("\u4e00" <= char <= "\u9fff" for char in word):
            entries.append((word, int(freq)))
    return entries


class Generator:
    """
    Articles of about 1,500 characters: words drawn by their frequency in
    jieba's dictionary (349,000 words), plus 0.5% industry terms (TOPICAL, with
    Zipf weights) so that a news site's words are as common as on a news site.
    """

    TOPICAL_SHARE = 0.005

    def __init__(self, seed=2024):
        self.rng = random.Random(seed)
        entries = jieba_dictionary()
        self.words = [word for word, _ in entries]
        self.cum = list(itertools.accumulate(freq for _, freq in entries))
        topical = TOPICAL[:]
        self.rng.shuffle(topical)
        self.topical = topical
        self.topical_cum = list(itertools.accumulate(zipf_weights(len(topical))))
        sample = self.rng.choices(self.words, cum_weights=self.cum, k=10_000)
        self.words_per_article = int(1500 / statistics.mean(len(w) for w in sample))

    def text(self, count):
        rng = self.rng
        words = rng.choices(self.words, cum_weights=self.cum, k=count)
        for word in rng.choices(
            self.topical, cum_weights=self.topical_cum, k=int(count * self.TOPICAL_SHARE)
        ):
            words.insert(rng.randrange(len(words)), f" {word} " if word.isascii() else word)
        sentences, start = [], 0
        while start < len(words):
            end = start + rng.randint(8, 24)
            sentences.append("".join(words[start:end]) + rng.choice(PUNCTUATION))
            start = end
        return sentences

    def article(self):
        rng = self.rng
        subject = rng.choices(self.topical, cum_weights=self.topical_cum)[0]
        place = rng.choice(TOPICAL[-90:])
        title = f"{place}{subject}{rng.choice(ACTIONS)}"
        standfirst = (
            f"{place}消息：{subject}{rng.choice(ACTIONS)}，业内人士认为，这将带来新的发展机遇。"
        )
        sentences = self.text(self.words_per_article)
        paragraphs, start = [], 0
        while start < len(sentences):
            end = start + rng.randint(3, 7)
            paragraphs.append("".join(sentences[start:end]))
            start = end
        body = "".join(f"<p>{p}</p>" for p in paragraphs)
        return title, standfirst, body


def bench_database_url(url):
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit("DATABASE_URL must be a PostgreSQL URL (postgres://user@host:5432/db).")
    return urlunsplit(parts._replace(path=f"/{BENCH_DATABASE}"))


def create_bench_database(url):
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DATABASE]
        ).fetchone()
        if not exists:
            connection.execute(f"CREATE DATABASE {BENCH_DATABASE}")


def setup_django(url):
    os.environ["DATABASE_URL"] = bench_database_url(url)
    os.environ["DATABASE_POOL"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def generate(count, progress):
    from django.db import connection

    from articles.models import Article, Topic

    generator = Generator()
    topics = [
        Topic.objects.get_or_create(name=name, defaults={"order": n})[0]
        for n, name in enumerate(["业界新闻", "政策法规", "科技前沿", "市场观察", "国际视野"])
    ]
    fields = [f for f in Article._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    now = datetime.now(UTC)
    rng = random.Random(7)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE articles_article RESTART IDENTITY CASCADE")
        with cursor.cursor.copy(f"COPY articles_article ({columns}) FROM STDIN") as copy:
            for n in range(count):
                title, standfirst, body = generator.article()
                roll = rng.random()
                status, published_at = (
                    Article.Status.PUBLISHED,
                    now - timedelta(minutes=rng.randint(1, 3 * 365 * 24 * 60)),
                )
                if roll < 0.03:
                    status = Article.Status.DRAFT
                elif roll < 0.05:
                    published_at = now + timedelta(days=rng.randint(1, 30))
                article = Article(
                    title=title,
                    slug=f"bench-{n}",
                    standfirst=standfirst,
                    body=body,
                    topic=topics[n % len(topics)],
                    status=status,
                    published_at=published_at,
                    created_at=published_at,
                    updated_at=published_at,
                )
                copy.write_row(
                    [f.get_db_prep_save(getattr(article, f.attname), connection) for f in fields]
                )
                if n % 1000 == 999:
                    progress(1000)
        cursor.execute("ANALYZE articles_article")


def timed_search(query):
    """The search page's database queries (ordered ids, then the first page), timed."""
    from articles.search.query import RankedResults, matching_articles
    from articles.search.tokenize import parse_query
    from articles.search.views import MAX_RESULTS, RESULTS_PER_PAGE

    terms = parse_query(query)
    start = time.perf_counter()
    results = RankedResults(matching_articles(terms), terms, limit=MAX_RESULTS)
    count = len(results)
    page = results[:RESULTS_PER_PAGE]
    return time.perf_counter() - start, count + results.more, len(page)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=200_000)
    parser.add_argument("--regenerate", action="store_true", help="Generate the articles again.")
    parser.add_argument("--repeat", type=int, default=3, help="Timed runs of each query.")
    parser.add_argument(
        "--offline", action="store_true", help="Rebuild with rebuild_search_index --offline."
    )
    parser.add_argument(
        "--skip-index", action="store_true", help="Keep the index of the last run; time queries."
    )
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    bench_database_url(url)  # PostgreSQL only
    create_bench_database(url)
    setup_django(url)

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from tqdm import tqdm

    from articles.models import Article
    from articles.search.backends import get_backend
    from articles.search.index import index_articles

    call_command("migrate", verbosity=0)
    report = {"articles": args.articles, "postgresql": connection.pg_version}

    if args.regenerate or Article.objects.count() != args.articles:
        with tqdm(total=args.articles, unit="articles", desc="generate") as bar:
            start = time.perf_counter()
            generate(args.articles, bar.update)
            report["generate_seconds"] = round(time.perf_counter() - start, 1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(char_length(title) + char_length(body)) FROM articles_article")
        report["characters"] = int(cursor.fetchone()[0])

    if not args.skip_index:
        with tqdm(total=args.articles, unit="articles", desc="index") as bar:
            start = time.perf_counter()
            index_articles(progress=bar.update, offline=args.offline)
            report["index_offline"] = args.offline
            report["index_seconds"] = round(time.perf_counter() - start, 1)
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE articles_article")
        report["vacuum_analyze_seconds"] = round(time.perf_counter() - start, 1)
    report["index_bytes"] = get_backend().index_size()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size('articles_article')")
        report["table_total_bytes"] = cursor.fetchone()[0]

    queries = ONE_WORD + TWO_WORDS
    assert len(queries) == 100, len(queries)
    for query in queries:  # warm the cache, as a running site would be
        timed_search(query)
    db_times, hits = {}, {}
    for query in queries:
        runs = [timed_search(query) for _ in range(args.repeat)]
        db_times[query] = statistics.median(r[0] for r in runs) * 1000
        hits[query] = runs[0][1]

    client = Client()
    page_times, query_counts = [], set()
    # No collectstatic here: plain static URLs instead of the manifest's.
    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": static}):
        for query in queries:
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as ctx:
                response = client.get("/search/", {"q": query})
            page_times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (query, response.status_code)
            query_counts.add(len(ctx.captured_queries))

    values = list(db_times.values())
    report.update(
        queries=len(queries),
        db_ms={
            "median": round(statistics.median(values), 1),
            "p95": round(percentile(values, 0.95), 1),
            "max": round(max(values), 1),
        },
        page_ms={
            "median": round(statistics.median(page_times), 1),
            "p95": round(percentile(page_times, 0.95), 1),
        },
        queries_per_page=sorted(query_counts),
        hits_median=statistics.median(hits.values()),
        hits_capped=sum(1 for h in hits.values() if h > 1000),
        slowest={q: round(db_times[q], 1) for q in sorted(db_times, key=db_times.get)[-5:]},
    )
    per_query = {q: {"db_ms": round(db_times[q], 1), "hits": hits[q]} for q in queries}
    out = ROOT / "bench" / "results" / f"search-{args.articles}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({**report, "per_query": per_query}, ensure_ascii=False, indent=2))
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
