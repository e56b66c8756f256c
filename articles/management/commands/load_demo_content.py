"""
Fill an empty site with demo content: the seed article (a People's Daily
reprint, cleaned of its scraping debris and, being machine-spun copy,
restored to its original words, as its history shows) and generated
articles across topics and dates, including drafts and a scheduled one that
readers must not see. Every article is written and published through the
workflow by the demo accounts (the writer drafts, the editor publishes), so
each has its history in the desk. Prints a login for the demo editor and
writer. Safe to run again: content is only created once; the passwords are
reset each time and printed.
"""

import random
import secrets
from datetime import timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from articles import workflow
from articles.authors import link_imported_bylines
from articles.ingest.formats import reprint_notices
from articles.models import Article, Author, Source, Topic
from articles.reprint import parse_reprint
from images.demo import panel
from images.services import add_image
from spun.detector import detect

SEED_FILE = Path(__file__).resolve().parents[2] / "demo" / "seed_renmin_ribao.txt"

DEMO_AUTHORS = [
    ("王芳", "本报记者", "长期跟踪产业政策与区域经济。"),
    ("李明", "本报记者", "报道科技企业与新兴产业。"),
    ("陈静", "特约撰稿人", "财经评论作者。"),
]

TOPICS = [
    ("业界新闻", "行业动态与重要事件", 1),
    ("政策法规", "政策发布、法规解读", 2),
    ("科技前沿", "人工智能、半导体与新技术", 3),
    ("市场观察", "市场数据与企业动向", 4),
    ("国际视野", "国际合作与全球产业", 5),
]
SUBJECTS = [
    "人工智能",
    "半导体",
    "新能源汽车",
    "5G网络",
    "数字经济",
    "芯片",
    "大模型",
    "光伏",
    "数据中心",
    "跨境电商",
]
ACTIONS = [
    "产业规模持续扩大",
    "迎来新一轮政策支持",
    "企业加快布局",
    "国际合作取得新进展",
    "标准体系逐步完善",
    "市场需求稳步回升",
]
PLACES = ["北京", "上海", "深圳", "杭州", "成都", "赞比亚", "新加坡", "日内瓦"]
TAGS = [
    "人工智能",
    "半导体",
    "新能源",
    "数字经济",
    "国际",
    "合作",
    "政策",
    "市场",
    "ChatGPT",
    "芯片",
    "5G",
]
SOURCES = [
    ("新华社", "https://www.news.cn/"),
    ("人民日报", "http://www.people.com.cn/"),
    ("经济日报", "http://www.ce.cn/"),
]


class Command(BaseCommand):
    help = "Load demo content (the seed article and generated articles) and print an editor login."

    def add_arguments(self, parser):
        parser.add_argument(
            "--articles", type=int, default=80, help="Generated articles (default 80)."
        )
        parser.add_argument("--username", default="editor")

    def handle(self, *args, **options):
        accounts = self.demo_accounts(options["username"])
        if Article.objects.exists():
            self.stdout.write("Demo content already present; leaving it as it is.")
        else:
            with transaction.atomic():
                self.load_content(options["articles"], *[user for user, _, _ in accounts])
        for user, password, group in accounts:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{group} login: http://127.0.0.1:8000/admin/  "
                    f"username: {user.username}  password: {password}"
                )
            )

    def load_seed(self, editor, pictures):
        """
        The seed as an editor meets it: written as a draft with the page as
        received (the note names the glosses removed and the spun phrases
        found), its spinner's swaps restored with the workflow function (a
        revision and an audit event), then published.
        """
        reprint = parse_reprint(SEED_FILE.read_text(encoding="utf-8"))
        # The seed gets a lead image and a figure in its body, from the library.
        seed_body = reprint.body_html.replace(
            "</p>", f'</p><figure data-image-id="{pictures["国际视野"][1].pk}"></figure>', 1
        )
        seed = Article(
            title=reprint.title,
            standfirst=reprint.standfirst,
            body=seed_body,
            lead_image=pictures["国际视野"][0],
            topic=Topic.objects.get_or_create(name=reprint.category)[0],
            source=Source.objects.get_or_create(name=reprint.source)[0] if reprint.source else None,
            source_url="http://opinion.people.com.cn/",
            featured=True,
            original_text=reprint.original,
        )
        notes = "; ".join(str(notice) for notice in reprint_notices(SEED_FILE.name, reprint))
        workflow.save_article(seed, by=editor, tags=reprint.keywords, note=notes)
        report = detect(reprint.title, reprint.standfirst, "\n".join(reprint.paragraphs))
        seed, _ = workflow.restore_spun_originals(
            seed, by=editor, phrases=report.pairs(likely_only=True)
        )
        return workflow.publish(seed, by=editor, at=reprint.published_at)

    def load_content(self, count, editor, writer):
        for name, description, order in TOPICS:
            Topic.objects.get_or_create(
                name=name, defaults={"description": description, "order": order}
            )
        sources = [
            Source.objects.get_or_create(name=n, defaults={"homepage": h})[0] for n, h in SOURCES
        ]
        pictures = self.make_pictures(editor)
        seed = self.load_seed(editor, pictures)
        self.stdout.write(f"Seed article: {seed.title} ({seed.get_absolute_url()})")

        rng = random.Random(2024)
        topics = list(Topic.objects.all())
        now = timezone.now()
        for i in range(count):
            subject, action, place = rng.choice(SUBJECTS), rng.choice(ACTIONS), rng.choice(PLACES)
            published_at = now - timedelta(days=rng.randint(0, 120), minutes=rng.randint(1, 1440))
            source = rng.choice(sources) if rng.random() < 0.4 else None
            paragraphs = [
                f"{place}消息:{subject}{action},业内人士认为,这将为相关产业带来新的发展机遇。",
                f"数据显示,今年以来{subject}相关企业数量同比增长{rng.randint(5, 40)}%,"
                f"投资规模达到{rng.randint(10, 900)}亿元。",
                f"专家表示,下一步应加强{subject}领域的技术创新与国际合作,推动产业高质量发展。",
            ]
            topic = rng.choice(topics)
            # Most stories have a picture of their topic; some stay text only.
            lead_image = rng.choice(pictures[topic.name]) if i % 5 != 4 else None
            article = Article(
                title=f"{place}:{subject}{action}",
                standfirst=paragraphs[0],
                body="".join(f"<p>{p}</p>" for p in paragraphs[1:]),
                topic=topic,
                lead_image=lead_image,
                byline=rng.choice(["本报记者 王芳", "本报记者 李明", "特约撰稿 陈静", ""]),
                source=source,
                source_url=f"{source.homepage}article/{i}" if source else "",
                featured=(i in (1, 2, 3)),
            )
            tags = rng.sample(TAGS, rng.randint(1, 3))
            if i % 20 == 7:
                workflow.save_article(article, by=writer, tags=tags)  # a draft
                continue
            if i % 20 == 13:
                workflow.save_article(article, by=writer, tags=tags)
                workflow.submit_for_review(article, by=writer)  # waiting for review
                continue
            workflow.save_article(article, by=editor, tags=tags)
            workflow.publish(article, by=editor, at=published_at)
        scheduled = Article(
            title="定时发布:明日行业大会将在北京开幕",
            standfirst="这篇文章已排期,发布时间到达之前读者看不到它。",
            body="<p>排期文章示例。</p>",
            topic=topics[0],
        )
        workflow.save_article(scheduled, by=editor)
        workflow.publish(scheduled, by=editor, at=now + timedelta(days=1))
        # The reporters named in the demo bylines, credited as an import would.
        for name, title, bio in DEMO_AUTHORS:
            Author.objects.get_or_create(name=name, defaults={"title": title, "bio": bio})
        link_imported_bylines(list(Article.objects.exclude(byline="").only("pk", "byline")))
        self.stdout.write(f"Created {Article.objects.count()} articles in {len(topics)} topics.")

    def make_pictures(self, user):
        """Two generated pictures per topic, in the image library: {topic name: [Image, Image]}."""
        pictures = {}
        for n, (name, description, _order) in enumerate(TOPICS):
            pictures[name] = [
                add_image(
                    panel(name, description, seed=n * 2 + k),
                    filename=f"{name}-{k + 1}.jpg",
                    user=workflow.user_row(user),
                    title=f"{name}配图{k + 1}",
                    alt_text=f"写着“{name}”的彩色示意图",
                    caption=f"{description}(示意图)",
                    credit="Newsroom 示意图",
                    focal_x=0.5,
                    focal_y=0.45,
                ).image
                for k in range(2)
            ]
        self.stdout.write(f"Made {2 * len(TOPICS)} demo pictures in the image library.")
        return pictures

    def demo_accounts(self, username):
        """(user, new password, role) of the demo editor and writer, passwords reset."""
        accounts = []
        for name, group in ((username, "编辑 Editor"), ("writer", "撰稿 Writer")):
            user, _ = get_user_model().objects.get_or_create(username=name)
            password = secrets.token_urlsafe(12)
            user.is_staff = True
            user.set_password(password)
            user.save()
            user.groups.add(Group.objects.get(name=group))
            accounts.append((user, password, group))
        return accounts
