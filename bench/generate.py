"""
Generate the benchmark's articles on PostgreSQL, fast.

    .venv/bin/python bench/generate.py [--articles 100000] [--regenerate] [--search-index]

Creates the database if it is missing, runs `migrate`, and fills it once with
N generated Chinese articles (8 topics, 2,000 tags with Zipf-like sizes and
3-5 per article, bodies of 1,000-5,000 characters, 10 sources, five years of
dates, a few % drafts, scheduled, expired, unpublished and trashed), each
with the related list the workflow would have stored (plan_related()).
Later runs reuse the data when the database already holds N
articles from this generator; `--regenerate` starts over. A database holding
articles that this generator did not write is refused, never emptied.

Rows go in with COPY, bypassing Article.save(), so this module does what
save() would: ASCII pinyin slugs made unique, bodies that sanitize_html()
leaves unchanged (checked on a sample), timestamps in UTC. Search terms are
left empty unless `--search-index`, which indexes every article
(`articles.search.index.index_articles`, as `rebuild_search_index` does; a
few minutes at 100,000 articles). The page benchmark does not need them.
"""

import argparse
import itertools
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import database_url, log, setup_django  # noqa: E402

# Bump when the generated data changes shape: older data is then regenerated.
GENERATOR_VERSION = 2
MARKER_TABLE = "bench_dataset"
DEFAULT_ARTICLES = 100_000
SEED = 2024
YEARS = 5

TOPICS = [
    # name, description, share of articles
    ("业界新闻", "行业动态与重要事件", 25),
    ("政策法规", "政策发布、法规解读", 12),
    ("科技前沿", "人工智能、半导体与新技术", 18),
    ("市场观察", "市场数据与企业动向", 15),
    ("国际视野", "国际合作与全球产业", 10),
    ("企业动态", "企业发布、合作与人事", 10),
    ("投资融资", "融资、并购与资本市场", 6),
    ("人物访谈", "企业家、学者与从业者访谈", 4),
]
SOURCES = [
    ("新华社", "https://www.news.cn/"),
    ("人民日报", "http://www.people.com.cn/"),
    ("经济日报", "http://www.ce.cn/"),
    ("科技日报", "http://www.stdaily.com/"),
    ("中国新闻网", "https://www.chinanews.com.cn/"),
    ("光明日报", "https://www.gmw.cn/"),
    ("第一财经", "https://www.yicai.com/"),
    ("21世纪经济报道", "https://www.21jingji.com/"),
    ("证券时报", "https://www.stcn.com/"),
    ("中国证券报", "https://www.cs.com.cn/"),
]
SUBJECTS = ["人工智能", "半导体", "新能源汽车", "5G网络", "数字经济", "芯片", "大模型", "光伏",
    "数据中心", "跨境电商", "储能", "锂电池", "氢能", "工业互联网", "物联网", "云计算", "大数据",
    "区块链", "机器人", "无人机", "生物医药", "医疗器械", "智能制造", "卫星互联网", "量子计算",
    "智能网联汽车", "风电", "核电", "特高压", "集成电路", "操作系统", "工业软件", "网络安全",
    "数据要素", "算力", "低空经济", "商业航天", "新材料", "稀土", "钢铁", "有色金属", "石油化工",
    "现代农业", "种业", "冷链物流", "快递物流", "航运", "港口", "高铁", "民航", "文旅", "短视频",
    "网络游戏", "在线教育", "金融科技", "绿色金融", "碳排放交易", "新型显示", "消费电子",
    "智能家居"]  # fmt: skip
PLACES = ["北京", "上海", "深圳", "杭州", "成都", "广州", "武汉", "西安", "南京", "苏州", "合肥",
    "重庆", "天津", "长沙", "郑州", "青岛", "厦门", "贵阳", "海口", "昆明", "新加坡", "日内瓦",
    "赞比亚", "迪拜", "法兰克福", "东京", "首尔", "雅加达"]  # fmt: skip
THEMES = ["政策", "市场", "国际", "合作", "融资", "并购", "出口", "进口", "标准", "专利",
    "碳中和", "双碳", "一带一路", "乡村振兴", "消费", "投资", "就业", "人才", "监管", "数据安全",
    "知识产权", "供应链", "产业链", "产能", "价格", "上市", "财报", "研发", "开源", "ChatGPT",
    "5G", "AI", "IPO", "ESG"]  # fmt: skip
ORGS = ["国家统计局", "工业和信息化部", "国家发展改革委", "商务部", "中国信息通信研究院",
    "中国汽车工业协会", "中国半导体行业协会", "国家能源局", "海关总署", "中国人民银行",
    "国家数据局", "中国电子信息产业发展研究院", "中国互联网络信息中心", "国际能源署"]  # fmt: skip
COMPANIES = ["华锐科技", "中科智芯", "东方新能", "海川数据", "星河航天", "蓝海物流", "瑞丰医药",
    "恒远材料", "云启软件", "天行汽车", "长风电力", "新元半导体", "百川智能", "北辰机器人"]  # fmt: skip
PEOPLE = ["王芳", "李明", "陈静", "张伟", "刘洋", "赵敏", "孙磊", "周婷", "吴昊", "郑雪", "钱坤",
    "冯蕾"]  # fmt: skip
ACTIONS = ["产业规模持续扩大", "迎来新一轮政策支持", "企业加快布局", "国际合作取得新进展",
    "标准体系逐步完善", "市场需求稳步回升", "关键技术实现突破", "投资热度不减",
    "出口保持较快增长", "应用场景不断拓展", "行业整合提速", "迎来发展窗口期"]  # fmt: skip
DETAILS = ["多地出台配套措施", "龙头企业订单饱满", "中小企业仍面临挑战", "专家建议加强统筹",
    "产业链上下游协同发力", "新产品密集发布", "人才缺口进一步扩大", "价格竞争趋于理性"]  # fmt: skip
HEADINGS = ["一、市场规模持续扩大", "二、技术创新加快推进", "三、政策环境不断优化",
    "四、国际合作稳步深化", "五、风险挑战不容忽视", "六、未来发展趋势展望"]  # fmt: skip
SENTENCES = [
    "{place}消息：{subject}{action}，今年以来相关企业营收同比增长{pct}%。",
    "据{org}统计，截至{year}年{month}月底，全国{subject}相关企业已超过{n}家，较上年末增加{pct}%。",
    "{person}在接受记者采访时表示，{subject}正处于从技术突破走向规模应用的关键阶段。",
    "业内人士指出，{subject}领域的竞争正从单一产品转向产业链协同，标准与生态的重要性日益凸显。",
    "{company}当天发布公告称，拟投资{amount}亿元建设{subject}项目，预计{year2}年建成投产。",
    "数据显示，{month}月份{subject}相关产品出口额达到{amount}亿美元，同比增长{pct}%。",
    "专家建议，下一步应加快完善{subject}相关法规，加强数据安全与知识产权保护，引导资本有序投入。",
    "{org}有关负责人介绍，今年将重点支持{subject}、{subject2}等领域的关键技术攻关和示范应用。",
    "在{place}举行的{subject}产业大会上，来自{n2}个国家和地区的{n}余名代表围绕技术创新与国际合作展开交流。",
    "记者在{place}一家{subject}企业的生产车间看到，自动化生产线正满负荷运转，订单已排至{month}月。",
    "分析人士认为，随着成本持续下降，{subject}有望在{year2}年前后迎来规模化拐点。",
    "与此同时，部分中小企业仍面临融资难、人才短缺和核心零部件依赖进口等问题。",
    "{company}负责人{person}表示，公司将继续加大研发投入，今年研发费用占营业收入比重预计超过{pct}%。",
    "据了解，{place}已出台{n2}项配套措施，在用地、用能、人才引进等方面给予{subject}企业支持。",
    "海关总署数据显示，前{month}个月我国{subject}相关产品进出口总额{amount}亿元，同比增长{pct}%。",
    "{org}发布的报告预计，到{year2}年，我国{subject}市场规模将突破{amount}0亿元。",
    "受访企业普遍认为，稳定的政策预期和开放的市场环境是行业持续发展的重要保障。",
    "{place}相关部门表示，将搭建{subject}公共服务平台，为企业提供检测认证、成果转化和融资对接服务。",
    "从全球范围看，{subject}产业格局正在深刻调整，各国纷纷加大投入，抢占发展先机。",
    "不过，也有专家提醒，{subject}领域存在重复建设和低水平竞争的风险，需要加强统筹规划。",
    "{person}认为，{subject}与{subject2}的融合发展将催生新的业态和商业模式。",
    "今年前{month}个月，{place}{subject}产业完成投资{amount}亿元，占全市工业投资的{pct}%。",
    "多家券商研报指出，{subject}板块估值已回到历史中枢附近，中长期配置价值逐步显现。",
    "{company}与{place}签署战略合作协议，双方将在{subject}研发、生产和应用推广等方面开展合作。",
]
TITLES = [
    ("{place}", "：", "{subject}", "{action}"),
    ("{subject}", "{action}", " ", "{detail}"),
    ("{org}", "发布", "《", "{year}", "年", "{subject}", "发展报告》"),
    ("前", "{month}", "月", "{subject}", "出口同比增长", "{pct}", "%"),
    ("{company}", "拟投资", "{amount}", "亿元布局", "{subject}"),
    ("{n2}", "国代表齐聚", "{place}", "共话", "{subject}", "发展"),
    ("{subject}", "新规", "{month}", "月起施行 ", "{detail}"),
    ("专访", "{person}", "：", "{subject}", "{action}"),
    ("{place}", "{subject}", "项目集中签约 总投资", "{amount}", "亿元"),
]
BYLINES = ["本报记者 {p}", "本报记者 {p} {q}", "特约撰稿 {p}", "实习记者 {p}", ""]


TAGS = 2_000
# Real tag clouds: a tag's size falls off as 1 / rank ** TAG_ZIPF, so at 20,000
# articles (4 tags each) the largest tags hold thousands of articles, a few
# hundred tags dozens and the long tail a handful.
TAG_ZIPF = 1.0
TAGS_PER_ARTICLE = (3, 4, 5)


def build_tag_names(count=TAGS):
    names = [*SUBJECTS, *THEMES, *PLACES]
    names += [f"{subject}{suffix}" for suffix in ("产业", "政策") for subject in SUBJECTS]
    names += [f"{place}{subject}" for place in PLACES for subject in SUBJECTS]
    names += [f"{subject}{theme}" for theme in THEMES for subject in SUBJECTS]
    return list(dict.fromkeys(names))[:count]


class TextMaker:
    """Chinese news text from templates; sentences come from a large pre-built pool."""

    def __init__(self, rng, now):
        self.rng = rng
        self.now = now
        self.sentences = [self.sentence() for _ in range(20_000)]
        from articles.text import ascii_slug

        self._ascii_slug = ascii_slug
        self._slug_parts = {}

    def fill(self, template):
        rng = self.rng
        year = rng.randint(self.now.year - YEARS, self.now.year)
        return template.format(
            place=rng.choice(PLACES),
            subject=rng.choice(SUBJECTS),
            subject2=rng.choice(SUBJECTS),
            action=rng.choice(ACTIONS),
            detail=rng.choice(DETAILS),
            org=rng.choice(ORGS),
            company=rng.choice(COMPANIES),
            person=rng.choice(PEOPLE),
            year=year,
            year2=year + rng.randint(1, 6),
            month=rng.randint(1, 12),
            pct=rng.randint(2, 60),
            n=rng.randint(20, 3000),
            n2=rng.randint(3, 60),
            amount=rng.randint(5, 900),
        )

    def sentence(self):
        return self.fill(self.rng.choice(SENTENCES))

    def title(self):
        """(title, slug): the slug is the title's pinyin, made part by part (cached)."""
        parts = [self.fill(part) for part in self.rng.choice(TITLES)]
        slug_parts = []
        for part in parts:
            slug = self._slug_parts.get(part)
            if slug is None:
                slug = self._slug_parts[part] = self._ascii_slug(part, max_length=200)
            if slug:
                slug_parts.append(slug)
        return "".join(parts), "-".join(slug_parts)

    def standfirst(self):
        return "".join(self.rng.sample(self.sentences, 2))

    def body(self, target_chars):
        rng = self.rng
        blocks, length, heading = [], 0, 0
        with_headings = rng.random() < 0.3
        while length < target_chars:
            if with_headings and heading < len(HEADINGS) and (not blocks or rng.random() < 0.25):
                blocks.append(f"<h2>{HEADINGS[heading]}</h2>")
                heading += 1
            paragraph = "".join(rng.sample(self.sentences, rng.randint(2, 5)))
            if rng.random() < 0.1:
                paragraph = f"<strong>{paragraph[:12]}</strong>{paragraph[12:]}"
            blocks.append(f"<p>{paragraph}</p>")
            length += len(paragraph)
        return "".join(blocks)


def ensure_database(db_url, *, recreate=False):
    """Create the database on its server when it does not exist yet (or again)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(db_url)
    name = parts.path.lstrip("/")
    if not name or name in {"postgres", "template0", "template1"}:
        raise SystemExit(f"Refusing to use the database {name!r} for the benchmark.")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        if recreate:
            log(f"Dropping database {name}")
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            log(f"Creating database {name}")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def has_marker(db_url):
    """Whether this generator wrote the database (its marker table exists)."""
    import psycopg

    with psycopg.connect(db_url, autocommit=True) as conn:
        row = conn.execute("SELECT to_regclass(%s)", [MARKER_TABLE]).fetchone()
    return row[0] is not None


def dataset_state():
    """(marker row or None, number of articles)."""
    from django.db import connection

    from articles.models import Article

    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (
                id integer PRIMARY KEY,
                articles integer NOT NULL,
                generator integer NOT NULL,
                seed integer NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                seconds double precision
            )
            """
        )
        cursor.execute(f"SELECT articles, generator, seed, created_at FROM {MARKER_TABLE}")
        marker = cursor.fetchone()
    return marker, Article.objects.count()


def ensure_dataset(articles=DEFAULT_ARTICLES, *, regenerate=False, search_index=False, seed=SEED):
    """
    Make the configured database hold `articles` generated articles; returns
    {"articles", "generated", "created_at", "seconds"}. Django must be set up
    with the bench settings (bench.common.setup_django).
    """
    from django.conf import settings
    from django.core.management import call_command
    from django.db import DatabaseError, connections
    from django.db.migrations.exceptions import InconsistentMigrationHistory

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit("The benchmark runs on PostgreSQL: set BENCH_DATABASE_URL=postgres://...")
    db_url = os.environ["DATABASE_URL"]
    ensure_database(db_url)
    log("migrate")
    try:
        call_command("migrate", interactive=False, verbosity=0)
    except (DatabaseError, InconsistentMigrationHistory) as error:
        # Migrations renamed or squashed during development no longer apply to
        # a database migrated before; ours is disposable, anyone else's is not.
        if not has_marker(db_url):
            raise
        log(f"migrate failed ({error}); recreating the benchmark database")
        connections.close_all()
        ensure_database(db_url, recreate=True)
        call_command("migrate", interactive=False, verbosity=0)
    marker, count = dataset_state()
    if marker is None and count:
        raise SystemExit(
            f"The database holds {count} articles that bench/generate.py did not write; "
            "refusing to replace them. Point BENCH_DATABASE_URL at another database."
        )
    if (
        not regenerate
        and marker is not None
        and marker[0] == articles == count
        and marker[1] == GENERATOR_VERSION
        and marker[2] == seed
    ):
        log(f"Reusing {count} generated articles (made {marker[3]:%Y-%m-%d %H:%M} UTC)")
        return {"articles": count, "generated": False, "created_at": marker[3], "seconds": 0.0}

    started = time.monotonic()
    generate(articles, seed=seed)
    seconds = time.monotonic() - started
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {MARKER_TABLE} SET seconds = %s", [seconds])
    if search_index:
        index_for_search()
    log(f"Generated {articles} articles in {seconds:.0f} s")
    return {
        "articles": articles,
        "generated": True,
        "created_at": datetime.now(UTC),
        "seconds": seconds,
    }


def plan_articles(count, rng, now, topics, sources, tags):
    """Everything about each article except its text, oldest first."""
    from articles.models import Article

    status = Article.Status
    span = YEARS * 365 * 86400
    topic_weights = [share for _, _, share in TOPICS]
    # Tag popularity falls off like real tag clouds (a few big, a long tail).
    cumulative = list(itertools.accumulate(1 / (rank + 1) ** TAG_ZIPF for rank in range(len(tags))))
    plans = []
    for _ in range(count):
        # More news in recent years: ages bunch towards now.
        age = timedelta(seconds=int(span * rng.random() ** 1.2) + 60)
        published_at = now - age
        expires_at = deleted_at = None
        state, roll = status.PUBLISHED, rng.random()
        if roll < 0.015:
            state, published_at = status.DRAFT, None
        elif roll < 0.02:
            state, published_at = status.REVIEW, None
        elif roll < 0.025:
            state, published_at = status.APPROVED, None
        elif roll < 0.035:  # scheduled
            published_at = now + timedelta(minutes=rng.randint(60, 14 * 24 * 60))
        elif roll < 0.045:  # expired
            expires_at = now - age * rng.random() * 0.9
        elif roll < 0.05:
            state = status.UNPUBLISHED
        elif roll < 0.053:  # in the trash
            deleted_at = now - age * rng.random()
        elif roll < 0.08:  # will expire
            expires_at = now + timedelta(days=rng.randint(1, 365))
        moment = published_at or now - age
        created_at = min(moment, now) - timedelta(minutes=rng.randint(10, 3 * 24 * 60))
        updated_at = min(moment + timedelta(minutes=rng.randint(0, 120)), now)
        if published_at and published_at > now:
            updated_at = created_at + timedelta(minutes=30)
        n_tags = rng.choice(TAGS_PER_ARTICLE)
        chosen = {}
        while len(chosen) < n_tags:
            tag = rng.choices(tags, cum_weights=cumulative)[0]
            chosen[tag.pk] = tag
        chosen = list(chosen.values())
        plans.append(
            {
                "status": state,
                "published_at": published_at,
                "expires_at": expires_at,
                "deleted_at": deleted_at,
                "created_at": created_at,
                "updated_at": updated_at,
                "topic": rng.choices(topics, weights=topic_weights)[0],
                "source": rng.choice(sources) if rng.random() < 0.3 else None,
                "featured": state == status.PUBLISHED and rng.random() < 0.005,
                "tags": chosen,
            }
        )
    plans.sort(key=lambda plan: plan["created_at"])
    return plans


def generate(count, *, seed=SEED):
    from django.db import connection, transaction

    from articles.models import Article, Source, Tag, TaggedArticle, Topic

    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    tables = [model._meta.db_table for model in (Article, Topic, Tag, Source)]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            log("Emptying the benchmark tables")
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
            cursor.execute(f"DELETE FROM {MARKER_TABLE}")
        topics = [
            Topic.objects.create(name=name, description=description, order=order)
            for order, (name, description, _) in enumerate(TOPICS, start=1)
        ]
        sources = [Source.objects.create(name=n, homepage=h) for n, h in SOURCES]
        tags = [Tag.objects.create(name=name) for name in build_tag_names()]
        text = TextMaker(rng, now)
        check_bodies_are_clean(text)
        plans = plan_articles(count, rng, now, topics, sources, tags)
        plan_related(plans, now)

        log(f"Writing {count} articles with COPY")
        started = time.monotonic()
        article_rows = article_copy_rows(plans, text, rng)
        copy_rows(Article, article_rows, count)
        tag_rows = (
            TaggedArticle(
                id=None,
                tag_id=tag.pk,
                content_object_id=article_id,
                published_at=plan["published_at"],
            )
            for article_id, plan in enumerate(plans, start=1)
            for tag in plan["tags"]
        )
        copy_rows(TaggedArticle, number_rows(tag_rows), None)
        with connection.cursor() as cursor:
            from django.core.management.color import no_style

            for statement in connection.ops.sequence_reset_sql(
                no_style(), [Article, TaggedArticle]
            ):
                cursor.execute(statement)
            cursor.execute(
                f"INSERT INTO {MARKER_TABLE} (id, articles, generator, seed) VALUES (1, %s, %s, %s)",
                [count, GENERATOR_VERSION, seed],
            )
        log(f"  rows written in {time.monotonic() - started:.0f} s")
    log("VACUUM ANALYZE")
    with connection.cursor() as cursor:
        for model in (Article, TaggedArticle, Topic, Tag, Source):
            cursor.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")
    check_related(plans)


def plan_related(plans, now):
    """
    Each article's stored related list, computed from the plans in memory
    exactly as articles.selectors.related_article_ids does from the tables
    (the RELATED_TAG_POOL newest links of each tag, published ones only,
    ranked by shared tags, then newest), so the rows go in with the list the
    workflow would have stored. check_related() compares a sample.
    """
    from articles.related import RELATED_STORED
    from articles.selectors import RELATED_TAG_POOL

    def live(plan):
        return (
            plan["status"] == "published"
            and plan["deleted_at"] is None
            and plan["published_at"] is not None
            and plan["published_at"] <= now
            and (plan["expires_at"] is None or plan["expires_at"] > now)
        )

    links = {}
    for pk, plan in enumerate(plans, start=1):
        if plan["published_at"] is not None and plan["published_at"] <= now:
            for tag in plan["tags"]:
                links.setdefault(tag.pk, []).append((plan["published_at"], pk))
    newest = {
        tag_id: [pk for _, pk in sorted(items, reverse=True)[:RELATED_TAG_POOL]]
        for tag_id, items in links.items()
    }
    tag_sets = [{tag.pk for tag in plan["tags"]} for plan in plans]
    is_live = [live(plan) for plan in plans]
    for pk, plan in enumerate(plans, start=1):
        tags = tag_sets[pk - 1]
        pool = {other for tag_id in tags for other in newest.get(tag_id, ())}
        pool.discard(pk)
        ranked = sorted(
            (other for other in pool if is_live[other - 1]),
            key=lambda other: (
                -len(tags & tag_sets[other - 1]),
                -plans[other - 1]["published_at"].timestamp(),
                -other,
            ),
        )
        plan["related_ids"] = ranked[:RELATED_STORED]


def check_related(plans, sample=50):
    """The lists written are those the workflow computes (a sample, from the tables)."""
    from articles.models import Article
    from articles.related import RELATED_STORED
    from articles.selectors import related_article_ids

    step = max(1, len(plans) // sample)
    for pk in range(1, len(plans) + 1, step):
        tag_ids = [tag.pk for tag in plans[pk - 1]["tags"]]
        stored = Article.objects.filter(pk=pk).values_list("related_ids", flat=True).get()
        if stored != related_article_ids(pk, tag_ids, RELATED_STORED):
            raise SystemExit(
                f"Article {pk}: the generated related list differs; fix plan_related()."
            )


def article_copy_rows(plans, text, rng):
    """Article instances (defaults applied by Django), numbered 1..N in creation order."""
    from articles.models import Article

    taken = set()
    for pk, plan in enumerate(plans, start=1):
        title, base = text.title()
        base = base[:80].rsplit("-", 1)[0] if len(base) > 80 else base
        base = base.strip("-") or "article"
        slug, n = base, 2
        while slug in taken:  # what unique_slug() does, without a query per row
            slug = f"{base}-{n}"
            n += 1
        taken.add(slug)
        source = plan["source"]
        when = plan["published_at"] or plan["created_at"]
        yield Article(
            id=pk,
            title=title,
            slug=slug,
            standfirst=text.standfirst(),
            body=text.body(rng.randint(1000, 5000)),
            topic_id=plan["topic"].pk,
            byline=rng.choice(BYLINES).format(p=rng.choice(PEOPLE), q=rng.choice(PEOPLE)),
            source_id=source.pk if source else None,
            source_url=f"{source.homepage}{when:%Y%m/%d}/c_{pk}.htm" if source else "",
            status=plan["status"],
            published_at=plan["published_at"],
            expires_at=plan["expires_at"],
            featured=plan["featured"],
            deleted_at=plan["deleted_at"],
            created_at=plan["created_at"],
            updated_at=plan["updated_at"],
            related_ids=plan["related_ids"],
        )


def number_rows(instances):
    for pk, instance in enumerate(instances, start=1):
        instance.id = pk
        yield instance


def copy_rows(model, instances, expected):
    """COPY model instances into the model's table: every concrete field, as Django would save it."""
    from django.db import connection

    fields = [field for field in model._meta.concrete_fields if not field.generated]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    written = 0
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for instance in instances:
            copy.write_row(
                [
                    field.get_db_prep_save(getattr(instance, field.attname), connection)
                    for field in fields
                ]
            )
            written += 1
            if expected and written % 20_000 == 0:
                log(f"  {written}/{expected}")
    return written


def check_bodies_are_clean(text):
    """Rows bypass save(): make sure save() would not have changed the text."""
    from articles.text import sanitize_html, strip_invalid_xml_chars

    for _ in range(200):
        body = text.body(1500)
        title = text.title()[0]
        if sanitize_html(body) != body or strip_invalid_xml_chars(title).strip() != title:
            raise SystemExit(
                "Generated text is not what Article.save() would store; fix TextMaker."
            )


def index_for_search():
    """Segment every article for search, as rebuild_search_index does."""
    from articles.search.index import index_articles

    log("Indexing every article for search (takes minutes)")
    started = time.monotonic()
    index_articles()
    log(f"  done in {time.monotonic() - started:.0f} s")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=DEFAULT_ARTICLES)
    parser.add_argument("--regenerate", action="store_true", help="start over even if reusable")
    parser.add_argument(
        "--search-index", action="store_true", help="also segment every article for search"
    )
    args = parser.parse_args(argv)
    setup_django(database_url())
    ensure_dataset(args.articles, regenerate=args.regenerate, search_index=args.search_index)


if __name__ == "__main__":
    main()
