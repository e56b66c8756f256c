"""
Images in the API (api/media.py): partners get what the images provider
returns for a page, in one call (by default the redistributable lead image),
and the redistributable figures of the text; anonymous callers get none.
"""

import pytest

from tests.factories import make_article, make_image

pytestmark = pytest.mark.django_db

CALLS = []


def fake_provider(articles):
    """Stands in for the images app: one redistributable image per article."""
    CALLS.append([a.pk for a in articles])
    return {
        a.pk: [{"url": f"https://img.example.com/{a.pk}.jpg", "width": 800, "credit": "新华社"}]
        for a in articles
    }


@pytest.fixture
def provider(settings):
    settings.API_IMAGES_PROVIDER = "tests.api.test_media.fake_provider"
    CALLS.clear()
    yield
    CALLS.clear()


def test_partners_get_the_providers_images_in_one_call_per_page(topic, keyed, provider):
    articles = [make_article(topic=topic) for _ in range(3)]
    data = keyed.get("/api/v1/articles").json()
    assert len(CALLS) == 1
    assert sorted(CALLS[0]) == sorted(a.pk for a in articles)
    for item in data["results"]:
        article = next(a for a in articles if str(a.uuid) == item["id"])
        assert item["images"] == [
            {
                "url": f"https://img.example.com/{article.pk}.jpg",
                "width": 800,
                "height": None,
                "alt": "",
                "caption": "",
                "credit": "新华社",
            }
        ]
    detail = keyed.get(f"/api/v1/articles/{articles[0].slug}").json()
    assert detail["images"][0]["url"].endswith(f"/{articles[0].pk}.jpg")


def test_anonymous_callers_never_reach_the_provider(topic, anon, provider):
    article = make_article(topic=topic)
    assert anon.get("/api/v1/articles").json()["results"][0]["images"] == []
    assert anon.get(f"/api/v1/articles/{article.slug}").json()["images"] == []
    assert CALLS == []


def test_without_a_provider_there_are_no_images(topic, keyed, settings):
    settings.API_IMAGES_PROVIDER = None
    make_article(topic=topic, lead_image=make_image(title="题图"))
    assert keyed.get("/api/v1/articles").json()["results"][0]["images"] == []


# With the images app: lead images and body figures, only if redistributable ----------


@pytest.fixture
def illustrated(topic):
    lead = make_image(
        title="港口", alt_text="集装箱码头", caption="洋山港一角", credit="新华社记者 张三"
    )
    inside = make_image(title="车间", alt_text="生产线", caption="车间里", credit="本报记者 李四")
    private = make_image(title="独家", alt_text="独家照片", redistributable=False)
    article = make_article(
        topic=topic,
        lead_image=lead,
        body=f'<p>第一段。</p><figure data-image-id="{inside.pk}"></figure>'
        f'<p>第二段。</p><figure data-image-id="{private.pk}"></figure>',
    )
    return article, lead, inside, private


def test_partners_get_the_redistributable_lead_image_and_figures(illustrated, keyed):
    article, lead, inside, private = illustrated
    for url in ["/api/v1/articles", f"/api/v1/articles/{article.slug}"]:
        data = keyed.get(url).json()
        item = data["results"][0] if "results" in data else data
        [image] = item["images"]
        assert image["url"].startswith("http://testserver/") and image["url"].endswith(".jpg")
        assert (image["alt"], image["caption"], image["credit"]) == (
            "集装箱码头",
            "洋山港一角",
            "新华社记者 张三",
        )
        assert image["width"] and image["height"]
        # The figure that may be redistributed is in the text, with absolute URLs;
        # the one that may not is left out, as in the feeds.
        assert "生产线" in item["body"] and "本报记者 李四" in item["body"]
        assert 'src="http://testserver/' in item["body"]
        assert "独家照片" not in item["body"] and "data-image-id" not in item["body"]


def test_a_lead_image_that_may_not_be_redistributed_is_left_out(topic, keyed):
    make_article(topic=topic, lead_image=make_image(title="独家", redistributable=False))
    assert keyed.get("/api/v1/articles").json()["results"][0]["images"] == []


def test_anonymous_callers_get_no_images_at_all(illustrated, anon):
    article = illustrated[0]
    data = anon.get(f"/api/v1/articles/{article.slug}").json()
    assert data["images"] == [] and data["body"] is None
    assert "集装箱码头" not in anon.get("/api/v1/articles").content.decode()


def test_images_cost_the_same_queries_however_many_articles(topic, keyed):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert keyed.get("/api/v1/articles").status_code == 200
        return len(queries)

    def illustrated_article():
        inside = make_image(title="图")
        make_article(
            topic=topic,
            lead_image=make_image(title="题图"),
            body=f'<figure data-image-id="{inside.pk}"></figure>',
        )

    illustrated_article()
    small = count()
    for _ in range(5):
        illustrated_article()
    assert count() == small
