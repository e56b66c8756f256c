"""
The desk is Chinese all the way through in zh-hans (and English in en):
every string our code marks for translation has a Chinese translation in
the catalogue, and walking the desk's pages in Chinese finds none of our
English strings left on them.
"""

import ast
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import trans_real

from articles import workflow
from articles.models import Article
from tests.factories import make_article, make_user

ROOT = Path(__file__).resolve().parents[1]
APPS = [
    "articles",
    "images",
    "jobs",
    "wire",
    "spun",
    "api",
    "notifications",
    "previews",
    "newsroom",
]
GETTEXT = {"_", "gettext", "gettext_lazy", "gettext_noop", "pgettext", "pgettext_lazy"}
TEMPLATE_STRING = re.compile(r"""{%\s*(?:translate|trans)\s+(["'])(.+?)\1""")
TEMPLATE_BLOCK = re.compile(
    r"{%\s*blocktrans(?:late)?(\s+[^%]*)?%}(.*?){%\s*endblocktrans(?:late)?\s*%}", re.S
)
CONTEXT = re.compile(r"""\bcontext\s+(["'])(.+?)\1""")


def python_msgids():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name not in GETTEXT:
                    continue
                strings = [a.value for a in node.args[:2] if isinstance(a, ast.Constant)]
                if not all(isinstance(v, str) for v in strings) or not strings:
                    continue
                if name.startswith("pgettext"):
                    if len(strings) == 2:  # the catalogue's key: context, EOT, message
                        yield f"{path.relative_to(ROOT)}", f"{strings[0]}\x04{strings[1]}"
                else:
                    yield f"{path.relative_to(ROOT)}", strings[0]


def template_msgids():
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        for match in TEMPLATE_STRING.finditer(text):
            yield f"{path.relative_to(ROOT)}", match.group(2)
        for match in TEMPLATE_BLOCK.finditer(text):
            options, body = match.group(1) or "", match.group(2)
            body = re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", body)
            if "{%" in body:  # plural blocks are left to msgfmt
                continue
            if re.search(r"\btrimmed\b", options):
                body = " ".join(line.strip() for line in body.strip().splitlines() if line.strip())
            context = CONTEXT.search(options)
            if context:
                body = f"{context.group(2)}\x04{body}"
            yield f"{path.relative_to(ROOT)}", body


def test_every_string_we_mark_has_a_chinese_translation():
    catalog = trans_real.translation("zh-hans")._catalog
    missing = sorted(
        {
            f"{where}: {msgid!r}"
            for where, msgid in [*python_msgids(), *template_msgids()]
            if msgid.strip() and not catalog.get(msgid)
        }
    )
    assert missing == []


def english_phrases():
    """Our own English msgids of two words or more (single words are too common to search for)."""
    po = (ROOT / "locale/zh_Hans/LC_MESSAGES/django.po").read_text()
    phrases = set()
    for msgid in re.findall(r'^msgid "(.+)"$', po, re.M):
        if "%(" in msgid or "\\" in msgid or len(msgid.split()) < 2:
            continue
        phrases.add(msgid)
    return phrases


@pytest.fixture
def desk(topic):
    writer, editor, chief = make_user("writer"), make_user("editor"), make_user("chief")
    now = timezone.now()
    draft = make_article(topic=topic, status=S.DRAFT, published_at=None, created_by=writer)
    review = make_article(topic=topic, status=S.DRAFT, published_at=None, created_by=writer)
    workflow.submit_for_review(review, by=writer)
    scheduled = make_article(topic=topic, published_at=now + timedelta(hours=5))
    live = make_article(topic=topic)
    return {
        "users": {"writer": writer, "editor": editor, "chief": chief},
        "pages": [
            reverse("admin:index"),
            reverse("admin:articles_article_changelist"),
            reverse("admin:articles_article_changelist") + "?queue=review",
            reverse("admin:articles_article_change", args=[draft.pk]),
            reverse("admin:articles_article_change", args=[review.pk]),
            reverse("admin:articles_article_change", args=[scheduled.pk]),
            reverse("admin:articles_article_change", args=[live.pk]),
            reverse("admin:articles_article_revisions", args=[live.pk]),
            reverse("admin:articles_article_add"),
            reverse("admin:notifications_notification_changelist"),
            reverse("admin:notifications_notification_settings"),
        ],
    }


S = Article.Status


def visible_text(html):
    """Text and the attributes people read (titles, labels, placeholders), without scripts."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    attributes = " ".join(re.findall(r'\s(?:title|aria-label|placeholder|value)="([^"]*)"', html))
    return re.sub(r"<[^>]+>", " ", html) + " " + attributes


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["writer", "editor", "chief"])
def test_the_desk_in_chinese_shows_none_of_our_english(desk, role):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    client.force_login(desk["users"][role])
    phrases = english_phrases()
    found = {}
    for url in desk["pages"]:
        response = client.get(url)
        assert response.status_code in (200, 403), url
        if response.status_code != 200:
            continue
        assert response["Content-Language"] == "zh-hans"
        text = visible_text(response.content.decode())
        left = sorted(p for p in phrases if re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", text))
        if left:
            found[url] = left
    assert found == {}


@pytest.mark.django_db
def test_the_desk_in_english_is_english(desk):
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    client.force_login(desk["users"]["editor"])
    page = client.get(reverse("admin:index")).content.decode()
    assert "Waiting for review" in page and "待审" not in page
    # The same search finds our English on an English page: the Chinese walk is not vacuous.
    change = client.get(desk["pages"][4]).content.decode()
    found = {p for p in english_phrases() if p in visible_text(change)}
    assert {"Submit for review", "Editorial notes"} & found or {"Send back", "Approve"} <= found
    with translation.override("zh-hans"):
        assert translation.gettext("Waiting for review") != "Waiting for review"


@pytest.mark.django_db
def test_the_history_names_statuses_not_codes(topic):
    writer = make_user("writer")
    article = make_article(topic=topic, status=S.DRAFT, published_at=None, created_by=writer)
    workflow.submit_for_review(article, by=writer)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    client.force_login(writer)
    for url in (
        reverse("admin:articles_article_change", args=[article.pk]),
        reverse("admin:articles_article_revisions", args=[article.pk]),
    ):
        page = client.get(url).content.decode()
        assert "草稿" in page and "待审" in page, url
        assert "draft → review" not in page and "<td>draft</td>" not in page, url
