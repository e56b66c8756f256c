"""
Write N synthetic articles as JSON Lines, the import_articles format, for
timing imports:

    python bench/make_jsonl.py 100000 > /tmp/articles.jsonl
    python manage.py import_articles /tmp/articles.jsonl

Titles, bodies, tags, topics and sources look like the site's industry news;
the output is the same for the same --seed. No slugs unless --slugs, so the
importer derives pinyin slugs as it would for a foreign archive.
"""

import argparse
import json
import random
import sys
from datetime import datetime, timedelta, timezone

TOPICS = ["业界新闻", "政策法规", "科技前沿", "市场观察", "国际视野"]
SOURCES = ["新华社", "人民日报", "经济日报"]
SUBJECTS = ["人工智能", "半导体", "新能源汽车", "5G网络", "数字经济", "芯片", "大模型", "光伏",
            "数据中心", "跨境电商", "工业互联网", "储能", "机器人", "卫星互联网", "生物医药"]  # fmt: skip
ACTIONS = ["产业规模持续扩大", "迎来新一轮政策支持", "企业加快布局", "国际合作取得新进展",
           "标准体系逐步完善", "市场需求稳步回升", "关键技术实现突破", "投资热度不减"]  # fmt: skip
PLACES = ["北京", "上海", "深圳", "杭州", "成都", "武汉", "西安", "苏州", "赞比亚", "新加坡",
          "日内瓦", "合肥"]  # fmt: skip
TAGS = ["人工智能", "半导体", "新能源", "数字经济", "国际", "合作", "政策", "市场", "ChatGPT",
        "芯片", "5G", "光伏", "储能", "机器人", "标准", "投资", "出口", "算力", "数据", "绿色"]  # fmt: skip
BEIJING = timezone(timedelta(hours=8))


def article(rng, i, *, slugs):
    subject, action, place = rng.choice(SUBJECTS), rng.choice(ACTIONS), rng.choice(PLACES)
    published_at = datetime(2022, 1, 1, tzinfo=BEIJING) + timedelta(
        minutes=rng.randint(0, 3 * 365 * 24 * 60)
    )
    paragraphs = [
        f"{place}消息:{subject}{action},业内人士认为,这将为相关产业带来新的发展机遇。"
        f"数据显示,今年以来{subject}相关企业数量同比增长{rng.randint(5, 40)}%,"
        f"投资规模达到{rng.randint(10, 900)}亿元,带动上下游就业{rng.randint(1, 90)}万人。"
        for _ in range(rng.randint(3, 7))
    ]
    status = rng.choices(["published", "draft", "review"], weights=[90, 7, 3])[0]
    record = {
        "title": f"{place}:{subject}{action}({rng.randint(1, 9999)})",
        "standfirst": paragraphs[0],
        "body": "".join(f"<p>{p}</p>" for p in paragraphs[1:]),
        "topic": rng.choice(TOPICS),
        "tags": rng.sample(TAGS, rng.randint(1, 3)),
        "published_at": published_at.isoformat(),
        "status": status,
        "byline": rng.choice(["本报记者 王芳", "本报记者 李明", "特约撰稿 陈静", ""]),
    }
    if rng.random() < 0.4:
        record["source"] = rng.choice(SOURCES)
    if rng.random() < 0.7:
        record["source_url"] = f"https://wire.example.com/{published_at:%Y/%m}/{i}.html"
    if slugs:
        record["slug"] = f"article-{i}"
    return record


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--slugs", action="store_true", help="give every article a slug")
    options = parser.parse_args()
    rng = random.Random(options.seed)
    out = sys.stdout
    for i in range(options.count):
        out.write(json.dumps(article(rng, i, slugs=options.slugs), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
