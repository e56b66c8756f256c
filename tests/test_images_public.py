"""
Images where readers and crawlers look: list pages, the featured block, the
article page (lead and body figures, og:image, JSON-LD), RSS and Atom,
sitemaps. Pages build images from the rows they already load: no storage
access and a constant number of queries; images of unpublished articles
never show; images not marked redistributable stay out of the feeds.
"""

import json
import re
from unittest import mock

import feedparser
import pytest
from django.core.files.storage import FileSystemStorage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from tests.factories import make_article, make_image, make_topic, make_unpublished_variants

pytestmark = pytest.mark.django_db


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.fixture
def illustrated(topic):
    lead = make_image(
        title="港口", alt_text="集装箱码头", caption="洋山港一角", credit="新华社记者 张三"
    )
    inside = make_image(title="车间", alt_text="生产线", caption="车间里", credit="本报记者 李四")
    article = make_article(
        title="港口吞吐量创新高",
        topic=topic,
        lead_image=lead,
        lead_image_caption="本文专用图说",
        featured=True,
        body=f'<p>第一段。</p><figure data-image-id="{inside.pk}"></figure><p>第二段。</p>',
    )
    return {"article": article, "lead": lead, "inside": inside}


def test_lists_and_the_featured_block_show_the_lead_image(client, illustrated):
    lead = illustrated["lead"]
    html = client.get("/").content.decode()
    featured = re.search(r'<section class="featured".*?</section>', html, re.S).group(0)
    assert lead.rendition("16x9", 640, "webp").url in featured
    assert 'fetchpriority="high"' not in featured
    listing = re.search(r'<ol class="article-list">.*?</ol>', html, re.S).group(0)
    thumbnail = lead.rendition("4x3", 320, "jpg")
    assert thumbnail.url in listing
    assert 'loading="lazy"' in listing
    for img in re.findall(r"<img [^>]*>", html):
        assert re.search(r'width="\d+"', img) and re.search(r'height="\d+"', img), img
        assert 'alt="' in img
    topic_page = client.get(illustrated["article"].topic.get_absolute_url()).content.decode()
    assert thumbnail.url in topic_page


def test_articles_without_images_get_no_empty_picture(client, topic):
    make_article(title="纯文字", topic=topic, featured=True)
    html = client.get("/").content.decode()
    assert "<picture" not in html and "<img" not in html
    assert 'class="featured-item text-only"' in html


def test_article_page_shows_lead_and_body_figures_with_captions_and_credits(client, illustrated):
    inside = illustrated["inside"]
    html = client.get(illustrated["article"].get_absolute_url()).content.decode()
    lead_figure = re.search(r'<figure class="figure lead-figure">.*?</figure>', html, re.S).group(0)
    assert "本文专用图说" in lead_figure and "洋山港一角" not in lead_figure  # the override
    assert "新华社记者 张三" in lead_figure
    assert 'fetchpriority="high"' in lead_figure and 'loading="lazy"' not in lead_figure
    assert 'type="image/webp"' in lead_figure and 'sizes="' in lead_figure
    body = re.search(r'<div class="article-body">(.*?)</div>', html, re.S).group(1)
    assert inside.rendition("full", 640, "jpg").url in body
    assert "车间里" in body and "本报记者 李四" in body and 'alt="生产线"' in body
    assert 'loading="lazy"' in body


def test_og_image_twitter_card_and_json_ld_crops(client, illustrated):
    lead = illustrated["lead"]
    html = client.get(illustrated["article"].get_absolute_url()).content.decode()
    og = lead.rendition("og", None, "jpg")
    assert f'<meta property="og:image" content="http://testserver{og.url}">' in html
    assert f'<meta property="og:image:width" content="{og.width}">' in html
    assert f'<meta property="og:image:height" content="{og.height}">' in html
    assert '<meta property="og:image:alt" content="集装箱码头">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    data = json.loads(re.search(r'application/ld\+json">(.*?)</script>', html, re.S).group(1))
    images = data["image"]
    assert [round(i["width"] / i["height"], 2) for i in images] == [1.78, 1.33, 1.0]
    for item in images:
        assert item["url"].startswith("http://testserver/media/images/r/")
        assert item["creditText"] == "新华社记者 张三"
        assert item["copyrightNotice"] == "新华社记者 张三"


def test_og_image_is_exactly_1200_by_630_for_a_large_picture(client, topic):
    from tests.factories import jpeg_bytes

    image = make_image(data=jpeg_bytes(2400, 1800))
    article = make_article(topic=topic, lead_image=image)
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<meta property="og:image:width" content="1200">' in html
    assert '<meta property="og:image:height" content="630">' in html


def test_rss_and_atom_carry_the_lead_image_and_absolute_body_figures(client, illustrated):
    lead, inside = illustrated["lead"], illustrated["inside"]
    rss = client.get("/feeds/rss/").content.decode()
    parsed = feedparser.parse(rss)
    assert not parsed.bozo, parsed.get("bozo_exception")
    entry = next(e for e in parsed.entries if e.title == "港口吞吐量创新高")
    enclosure = entry.enclosures[0]
    feed_rendition = lead.rendition("full", 1280, "jpg")
    assert enclosure.href == f"http://testserver{feed_rendition.url}"
    assert enclosure.type == "image/jpeg"
    assert int(enclosure.length) > 0
    assert entry.media_content[0]["url"] == enclosure.href
    assert entry.media_content[0]["medium"] == "image"
    assert entry.media_credit[0]["content"] == "新华社记者 张三"
    content = entry.content[0].value
    assert f"http://testserver{inside.rendition('full', 640, 'jpg').url}" in content
    assert 'src="/media/' not in content and 'srcset="/media/' not in content
    atom = feedparser.parse(client.get("/feeds/atom/").content)
    entry = next(e for e in atom.entries if e.title == "港口吞吐量创新高")
    assert any(link.rel == "enclosure" and link.href.endswith(".jpg") for link in entry.links)


def test_images_not_redistributable_stay_out_of_the_feeds(client, illustrated):
    lead, inside = illustrated["lead"], illustrated["inside"]
    type(lead).objects.filter(pk__in=[lead.pk, inside.pk]).update(redistributable=False)
    rss = client.get("/feeds/rss/").content.decode()
    atom = client.get("/feeds/atom/").content.decode()
    for feed in (rss, atom):
        assert lead.renditions["key"] not in feed
        assert inside.renditions["key"] not in feed
    assert "第一段" in rss  # the article itself is still there
    # The site itself still shows them.
    assert (
        lead.renditions["key"]
        in client.get(illustrated["article"].get_absolute_url()).content.decode()
    )


def test_sitemaps_list_the_lead_image(client, illustrated):
    url = f"http://testserver{illustrated['lead'].rendition('full', None, 'jpg').url}"
    for path in ("/sitemap-articles.xml", "/sitemap-news.xml"):
        xml = client.get(path).content.decode()
        assert 'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"' in xml
        assert f"<image:image><image:loc>{url}</image:loc></image:image>" in xml, path


def test_images_of_invisible_articles_never_appear(client, topic):
    make_article(title="可见文章", topic=topic, lead_image=make_image(), featured=True)
    variants = make_unpublished_variants(topic=topic)
    hidden_keys = {}
    for kind, article in variants.items():
        image = make_image(title=f"隐藏{kind}")
        Article.objects.filter(pk=article.pk).update(
            lead_image=image, featured=True, body=f'<figure data-image-id="{image.pk}"></figure>'
        )
        hidden_keys[kind] = image.renditions["key"]
    for url in (
        "/",
        topic.get_absolute_url(),
        "/archive/",
        "/feeds/rss/",
        "/feeds/atom/",
        "/sitemap-articles.xml",
        "/sitemap-news.xml",
    ):
        page = client.get(url).content.decode()
        assert "可见文章" in page or "/articles/" in page, url
        for kind, key in hidden_keys.items():
            assert key not in page, f"{kind} article's image leaks on {url}"


class NoStorage(FileSystemStorage):
    """A storage that fails the test if a page render asks it anything but a URL."""

    def _refuse(self, *args, **kwargs):
        raise AssertionError("a page render touched the storage")

    exists = open = size = listdir = path = get_modified_time = _refuse


def test_pages_and_feeds_never_touch_the_storage(client, illustrated, settings):
    from django.core.files import storage as storage_module

    spy = NoStorage(location=settings.MEDIA_ROOT, base_url=settings.MEDIA_URL)
    with mock.patch.object(storage_module.default_storage, "_wrapped", spy):
        for url in (
            "/",
            illustrated["article"].get_absolute_url(),
            illustrated["article"].topic.get_absolute_url(),
            "/feeds/rss/",
            "/feeds/atom/",
            "/sitemap-articles.xml",
        ):
            assert client.get(url).status_code == 200, url


def test_images_cost_no_query_on_lists_and_one_on_an_article_with_body_figures(client, topic):
    """The pages of tests/test_views.py keep their counts with images (+1 for body figures)."""
    plain = make_article(title="无图文章", topic=topic, tags=["国际"])
    make_article(title="另一篇", topic=topic, tags=["国际"])
    baseline = {
        "home": count_queries(client, "/"),
        "topic": count_queries(client, topic.get_absolute_url()),
        "detail": count_queries(client, plain.get_absolute_url()),
    }
    for i in range(6):
        inside = make_image(title=f"正文{i}")
        make_article(
            title=f"有图文章{i}",
            topic=topic,
            tags=["国际"],
            lead_image=make_image(title=f"题图{i}"),
            featured=True,
            body=f'<p>正文</p><figure data-image-id="{inside.pk}"></figure>'
            f'<figure data-image-id="{inside.pk}"></figure>',
        )
    illustrated = Article.objects.filter(title="有图文章0").get()
    assert count_queries(client, "/") == baseline["home"]
    assert count_queries(client, topic.get_absolute_url()) == baseline["topic"]
    # Lead image: joined to the article row; body figures: one query for all.
    assert count_queries(client, illustrated.get_absolute_url()) == baseline["detail"] + 1
    lead_only = make_article(title="只有题图", topic=topic, tags=["国际"], lead_image=make_image())
    assert count_queries(client, lead_only.get_absolute_url()) == baseline["detail"]
    feed_small = count_queries(client, "/feeds/rss/")
    make_topic("新栏目")
    for i in range(4):
        inside = make_image(title=f"更多{i}")
        make_article(
            title=f"更多有图文章{i}",
            topic=topic,
            lead_image=make_image(title=f"更多题图{i}"),
            body=f'<figure data-image-id="{inside.pk}"></figure>',
        )
    assert count_queries(client, "/feeds/rss/") == feed_small
