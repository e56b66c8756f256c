"""
Accessibility, weight and looks of every public page type, in Chromium
(issue 15): axe-core runs in each page at 1366 px and 390 px, in the light and
the dark colour scheme, and must find nothing at all (every rule axe runs by
default, best practices included, not only the serious ones). The same visits
check the page-weight budget (HTML + CSS under 50 KB, at most three requests
before images, nothing from another origin) and save screenshots to
build/screenshots/reader/.

axe-core comes from npm into build/axe (git-ignored): `make axe`, which
.ci/run calls. Nothing is fetched at test time: the file is injected into
the page. Without it the test skips locally and fails under CI.
"""

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from django.utils import timezone

from articles.models import Article, ArticleAuthor, Author
from articles.workflow import SYSTEM
from previews.services import create_link
from tests.factories import make_article, make_image, make_topic
from tests.test_browser import (  # noqa: F401 - fixtures
    TIMEOUT_MS,
    allow_orm_under_playwright,
    browser,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
AXE = Path(os.environ.get("AXE_CORE_JS", ROOT / "build/axe/node_modules/axe-core/axe.min.js"))
SCREENSHOTS = ROOT / "build" / "screenshots" / "reader"
DEVICES = {
    "desktop": {"viewport": {"width": 1366, "height": 900}, "locale": "zh-CN"},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "locale": "zh-CN",
    },
}
SCHEMES = ("light", "dark")
PAGE_BUDGET = 50_000  # bytes of HTML + CSS, uncompressed
MAX_REQUESTS = 3  # before images: the page and its stylesheets


@pytest.fixture
def axe_source():
    if not AXE.exists():
        reason = f"axe-core is not installed at {AXE}: run `make axe`"
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(f"{reason} (CI must run the accessibility test, not skip it)")
        pytest.skip(reason)
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def site(transactional_db):
    """Something on every page type: images, authors, tags, two months, a search hit."""
    topic = make_topic("半导体", description="芯片与集成电路")
    make_topic("新能源")
    photo = make_image(title="记者照片", alt_text="张明的照片")
    author = Author.objects.create(
        name="张明", title="记者", bio="长期报道半导体产业。", photo=photo
    )
    now = timezone.now()
    lead = make_image(title="晶圆厂", alt_text="晶圆厂的无尘车间")
    figure = make_image(title="生产线", alt_text="封装生产线")
    body = (
        f'<p>据<a href="https://example.org/r">行业报告</a>，产能继续扩大。</p>'
        f'<figure data-image-id="{figure.pk}"></figure>'
        "<h2>主要数据</h2><ul><li>产能增长两成</li><li>良率提高</li></ul>"
        "<blockquote><p>需求仍将保持旺盛。</p></blockquote>"
        "<table><caption>产能</caption><thead><tr><th scope=col>地区</th><th scope=col>产能</th>"
        "</tr></thead><tbody><tr><td>华东</td><td>12万片</td></tr></tbody></table>"
    )
    articles = []
    for i in range(25):
        article = make_article(
            title=f"晶圆厂扩产计划第{i + 1}期公布",
            topic=topic,
            body=body,
            tags=["芯片", "产业"],
            published_at=now - dt.timedelta(days=i * 3, hours=1),
            featured=i < 3,
            lead_image=lead if i % 2 == 0 else None,
            lead_image_caption="无尘车间" if i % 2 == 0 else "",
            byline="记者 张明",
        )
        ArticleAuthor.objects.create(article=article, author=author)
        articles.append(article)
    # A shareable preview (previews/) of a draft: the article template with its banner.
    draft = make_article(
        title="未发布:晶圆厂新址", topic=topic, body=body, tags=["芯片"],
        status=Article.Status.DRAFT, published_at=None, byline="记者 张明",
    )  # fmt: skip
    _link, token = create_link(draft, by=SYSTEM)
    newest = articles[0].published_at.astimezone(timezone.get_current_timezone())
    day = f"{newest:%Y/%m/%d}"
    return {
        "home": "/",
        "article": articles[0].get_absolute_url(),
        "topic": topic.get_absolute_url(),
        "tag": "/tags/xin-pian/",
        "author": author.get_absolute_url(),
        "archive": "/archive/",
        "archive-year": f"/archive/{newest:%Y}/",
        "archive-month": f"/archive/{newest:%Y/%m}/",
        "archive-day": f"/archive/{day}/",
        "search": "/search/?q=晶圆厂",
        "404": "/no-such-page/",
        "preview": f"/preview/{token}/",
    }


def inject_axe(page, source):
    """
    Run axe-core in the page through the DevTools protocol: an added <script>
    would be inline script, which the site's Content-Security-Policy refuses
    (as it should), and the pages are checked under that policy.
    """
    page.evaluate(source)
    assert page.evaluate("typeof window.axe") == "object"


def visit(browser, base_url, url, device, scheme, axe_source):  # noqa: F811
    context = browser.new_context(base_url=base_url, color_scheme=scheme, **DEVICES[device])
    context.set_default_timeout(TIMEOUT_MS)
    requests = []
    context.on("request", lambda request: requests.append(request))
    page = context.new_page()
    response = page.goto(url, wait_until="load")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = url.strip("/").replace("/", "_").replace("?", "_") or "home"
    page.screenshot(path=SCREENSHOTS / f"{name}-{device}-{scheme}.png", full_page=True)
    inject_axe(page, axe_source)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    weight, before_images, offsite = 0, 0, []
    for request in requests:
        if not request.url.startswith(base_url):
            offsite.append(request.url)
            continue
        if request.resource_type in ("document", "stylesheet", "script", "font"):
            before_images += 1
            answer = request.response()
            weight += len(answer.body()) if answer else 0
    context.close()
    violations = [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]
    return {
        "status": response.status,
        "violations": violations,
        "weight": weight,
        "requests": before_images,
        "offsite": offsite,
    }


def test_every_page_type_has_no_accessibility_violation_and_stays_light(
    live_server,
    browser,  # noqa: F811
    site,
    axe_source,
):
    report, problems = {}, []
    for name, url in site.items():
        for device in DEVICES:
            for scheme in SCHEMES:
                found = visit(browser, live_server.url, url, device, scheme, axe_source)
                report[f"{name} {device} {scheme}"] = found
                where = f"{name} ({url}) {device} {scheme}"
                expected = 404 if name == "404" else 200
                if found["status"] != expected:
                    problems.append(f"{where}: status {found['status']}")
                if found["violations"]:
                    problems.append(
                        f"{where}: {json.dumps(found['violations'], ensure_ascii=False)}"
                    )
                if found["weight"] > PAGE_BUDGET:
                    problems.append(f"{where}: {found['weight']} bytes of HTML and CSS")
                if found["requests"] > MAX_REQUESTS:
                    problems.append(f"{where}: {found['requests']} requests before images")
                if found["offsite"]:
                    problems.append(f"{where}: requests to other sites {found['offsite']}")
    (SCREENSHOTS / "report.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    assert not problems, "\n".join(problems)


def test_axe_in_the_page_does_report_a_planted_violation(live_server, browser, axe_source):  # noqa: F811
    # Zero violations above means something only if axe runs and reports here.
    make_article(title="探针", topic=make_topic("经济"))
    context = browser.new_context(base_url=live_server.url, **DEVICES["desktop"])
    page = context.new_page()
    page.goto("/")
    page.evaluate(
        "() => { const img = document.createElement('img'); img.src = 'data:,';"
        " document.querySelector('main').append(img); }"
    )
    inject_axe(page, axe_source)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    context.close()
    assert "image-alt" in {v["id"] for v in result["violations"]}
