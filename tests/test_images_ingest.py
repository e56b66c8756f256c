"""
Images in imports and exports (images/ingest.py): JSON Lines image fields,
feed media:content / enclosures and body <img> tags are fetched through the
importer's safe fetcher and stored in the library (one image per content
hash); body images become library figures; an image that cannot be had is
a warning naming the item and the URL, never a failed article or a hotlink;
export --with-media then import into an empty site restores the images.
"""

import contextlib
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from articles.ingest import fetch
from articles.models import Article
from images.models import Image, ImageUsage
from tests.factories import jpeg_bytes, make_article, make_image, make_topic

pytestmark = pytest.mark.django_db

PICTURES = {
    "https://img.example.com/a.jpg": jpeg_bytes(900, 600, color=(10, 120, 200)),
    "https://img.example.com/b.jpg": jpeg_bytes(640, 480, color=(200, 20, 60)),
    "https://img.example.com/same-as-a.jpg": jpeg_bytes(900, 600, color=(10, 120, 200)),
    "https://img.example.com/not-a-picture.jpg": b"<html>not found</html>",
}


@pytest.fixture
def web(monkeypatch):
    """The safe fetcher's network: known URLs answer with their bytes, others fail."""
    asked = []

    def fake_fetch(url, **options):
        asked.append((url, options))
        if url in PICTURES:
            return fetch.Response(url=url, content=PICTURES[url], content_type="image/jpeg")
        raise fetch.FetchError(f"{url} answered HTTP 404 Not Found")

    monkeypatch.setattr(fetch, "fetch", fake_fetch)
    return asked


def run_import(path, *args):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.suppress(SystemExit):
        call_command("import_articles", str(path), *args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_json_lines_image_fields_become_the_lead_image(
    tmp_path, web, django_capture_on_commit_callbacks
):
    path = tmp_path / "wire.jsonl"
    record = {
        "title": "带图的稿件",
        "topic": "业界新闻",
        "body": "<p>正文</p>",
        "published_at": "2024-12-05T14:00:00+08:00",
        "image_url": "https://img.example.com/a.jpg",
        "image_caption": "港口",
        "image_credit": "新华社记者 张三",
        "image_alt": "集装箱",
    }
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):  # articles_changed: the uses
        output = run_import(path)
    article = Article.objects.get(title="带图的稿件")
    image = article.lead_image
    assert (image.caption, image.credit, image.alt_text) == ("港口", "新华社记者 张三", "集装箱")
    assert image.source_url == "https://img.example.com/a.jpg"
    assert web[0][1]["max_bytes"] > 0 and web[0][1]["timeout"] > 0  # the limits are passed on
    assert "1 created" in output
    assert ImageUsage.objects.filter(article=article, role="lead").exists()


FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Wire</title><link>https://wire.example.com/</link><description>d</description>
<item>
  <title>港口新闻</title><link>https://wire.example.com/news/1.html</link>
  <pubDate>Thu, 05 Dec 2024 06:00:00 GMT</pubDate>
  <media:content url="https://img.example.com/a.jpg" medium="image" type="image/jpeg">
    <media:credit>新华社</media:credit>
  </media:content>
  <content:encoded><![CDATA[<p>第一段</p><img src="/b.jpg" alt="车间"><p>第二段</p>
  <img src="https://img.example.com/missing.jpg"><img src="https://img.example.com/not-a-picture.jpg">
  <img src="https://img.example.com/same-as-a.jpg">]]></content:encoded>
</item>
<item>
  <title>内网图片</title><link>https://wire.example.com/news/2.html</link>
  <pubDate>Thu, 05 Dec 2024 07:00:00 GMT</pubDate>
  <enclosure url="http://127.0.0.1/internal.jpg" type="image/jpeg" length="1"/>
  <description>没有正文图片</description>
</item>
</channel></rss>"""


def test_feed_images_are_fetched_stored_and_rewritten_with_warnings_for_the_rest(tmp_path, web):
    PICTURES["https://img.example.com/b.jpg"]  # noqa: B018 - the relative /b.jpg resolves to it
    PICTURES["https://wire.example.com/b.jpg"] = PICTURES["https://img.example.com/b.jpg"]
    path = tmp_path / "wire.xml"
    path.write_text(FEED, encoding="utf-8")
    output = run_import(path, "--publish")
    article = Article.objects.get(title="港口新闻")
    assert article.lead_image is not None and article.lead_image.credit == "新华社"
    assert "<img" not in article.body
    assert "example.com" not in article.body  # no hotlink remains
    figures = article.body.count("<figure data-image-id=")
    assert figures == 2  # /b.jpg and same-as-a.jpg (the same picture as the lead)
    assert Image.objects.count() == 2  # a.jpg and same-as-a.jpg are one image
    assert f'<figure data-image-id="{article.lead_image_id}"></figure>' in article.body
    assert "wire.xml entry 1: image https://img.example.com/missing.jpg" in output
    assert "wire.xml entry 1: image https://img.example.com/not-a-picture.jpg" in output
    # The second item's image is on an internal address: the real safe fetcher refuses it.
    monkey_free = Article.objects.get(title="内网图片")
    assert monkey_free.lead_image is None
    assert "wire.xml entry 2: image http://127.0.0.1/internal.jpg" in output
    assert "2 created" in output


def test_the_real_fetcher_refuses_internal_image_urls(tmp_path):
    path = tmp_path / "wire.jsonl"
    path.write_text(
        json.dumps(
            {"title": "内网", "topic": "业界新闻", "image_url": "http://127.0.0.1:8000/x.jpg"},
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    output = run_import(path)
    assert Article.objects.get(title="内网").lead_image is None
    assert "loopback" in output and "http://127.0.0.1:8000/x.jpg" in output
    assert Image.objects.count() == 0


def test_export_with_media_then_import_into_an_empty_site_restores_the_images(tmp_path):
    topic = make_topic("业界新闻")
    lead = make_image(
        title="题图", alt_text="码头", caption="洋山港", credit="新华社记者 张三", focal_x=0.2
    )
    inside = make_image(title="正文图", alt_text="车间", credit="本报记者")
    Image.objects.filter(pk=inside.pk).update(redistributable=False)
    make_article(
        title="图文稿",
        topic=topic,
        lead_image=lead,
        lead_image_caption="本文图说",
        body=f'<p>一</p><figure data-image-id="{inside.pk}"></figure><p>二</p>',
    )
    out_dir = tmp_path / "export"
    out_dir.mkdir()
    archive = out_dir / "archive.jsonl"
    call_command(
        "export_articles",
        output=str(archive),
        with_media=str(out_dir / "media"),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    record = json.loads(archive.read_text(encoding="utf-8").splitlines()[0])
    assert record["image_credit"] == "新华社记者 张三" and record["image_alt"] == "码头"
    assert record["image_file"].startswith("media/images/o/")
    assert (out_dir / record["image_file"]).is_file()
    assert record["body_images"][0]["id"] == inside.pk
    # The export carries the masters (re-encoded at upload, without EXIF).
    import hashlib

    exported = {
        hashlib.sha256((out_dir / r["image_file"]).read_bytes()).hexdigest(): r
        for r in [record, *record["body_images"]]
    }
    sizes = {(lead.width, lead.height), (inside.width, inside.height)}

    # An empty site (and an empty media folder).
    Article.objects.all().delete()
    Image.objects.all().delete()
    output = run_import(archive)
    assert "1 created" in output and "warning" not in output
    restored = Article.objects.get(title="图文稿")
    assert {i.sha256 for i in Image.objects.all()} == set(exported)
    assert {(i.width, i.height) for i in Image.objects.all()} == sizes
    assert exported[restored.lead_image.sha256]["image_title"] == "题图"
    assert restored.lead_image_caption == "本文图说"
    assert (restored.lead_image.caption, restored.lead_image.credit) == (
        "洋山港",
        "新华社记者 张三",
    )
    assert restored.lead_image.focal_x == pytest.approx(0.2)
    new_inside = Image.objects.get(title="正文图")
    assert new_inside.redistributable is False
    assert f'<figure data-image-id="{new_inside.pk}"></figure>' in restored.body
    # Importing the same archive again changes nothing.
    again = run_import(archive)
    assert "1 skipped" in again and Image.objects.count() == 2


def test_an_image_file_outside_the_export_folder_is_refused(tmp_path):
    (tmp_path / "secret.jpg").write_bytes(jpeg_bytes())
    folder = tmp_path / "in"
    folder.mkdir()
    path = folder / "a.jsonl"
    path.write_text(
        json.dumps({"title": "越界", "topic": "业界新闻", "image_file": "../secret.jpg"}) + "\n",
        encoding="utf-8",
    )
    output = run_import(path)
    assert Article.objects.get(title="越界").lead_image is None
    assert "outside the export's folder" in output
    assert Image.objects.count() == 0
    assert Path(tmp_path / "secret.jpg").exists()
