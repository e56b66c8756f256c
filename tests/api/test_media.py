"""
The images extension point (api/media.py): partners get what the images
provider returns for a page, in one call; anonymous callers never reach it.
"""

import pytest

from tests.factories import make_article

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


def test_without_a_provider_there_are_no_images(topic, keyed):
    make_article(topic=topic)
    assert keyed.get("/api/v1/articles").json()["results"][0]["images"] == []
