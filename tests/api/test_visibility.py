"""
Nothing unpublished leaks through the API: every kind of invisible article
(draft, review, approved, unpublished, scheduled, expired, trashed and a
working copy), through every endpoint and filter, with and without a key;
an article that stops being public is gone on the next request.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles import workflow
from articles.models import Article
from tests.factories import make_article, make_source, make_topic, make_unpublished_variants

pytestmark = pytest.mark.django_db

S = Article.Status


@pytest.fixture
def world(topic, editor):
    """One visible article, every invisible kind beside it (same topic, tag and source)."""
    source = make_source("人民日报")
    visible = make_article(
        topic=topic, title="可见的人工智能文章", tags=["人工智能"], source=source
    )
    hidden = make_unpublished_variants(topic=topic, tags=["人工智能"], prefix="隐藏人工智能")
    for article in hidden.values():
        Article.objects.filter(pk=article.pk).update(source=source)
    # A working copy of the visible article, with an edit readers must not see yet.
    copy = workflow.create_working_copy(visible, by=editor)
    copy.title = "隐藏人工智能工作副本"
    copy.body = "<p>尚未发布的修改</p>"
    copy.save()
    hidden["working-copy"] = copy
    # A tag only unpublished articles carry: its name is not public either.
    hidden["draft"].tags.add("内部机密标签")
    return visible, hidden


LIST_URLS = [
    "/api/v1/articles",
    "/api/v1/articles?topic=ye-jie-xin-wen",
    "/api/v1/articles?tag=ren-gong-zhi-neng",
    "/api/v1/articles?source=人民日报",
    "/api/v1/articles?q=人工智能",
    "/api/v1/articles?since=2000-01-01",
    "/api/v1/articles?until=2999-12-31",
    "/api/v1/articles?page_size=1",
]


@pytest.mark.parametrize("url", LIST_URLS)
@pytest.mark.parametrize("caller", ["anon", "keyed"])
def test_lists_show_only_published_articles(world, url, caller, request):
    client = request.getfixturevalue(caller)
    visible, hidden = world
    seen, next_url = [], url
    while next_url:
        response = client.get(next_url)
        assert response.status_code == 200, response.content
        data = response.json()
        seen += [item["id"] for item in data["results"]]
        next_url = data["next"]
    assert seen == [str(visible.uuid)]
    body = response.content.decode()
    for article in hidden.values():
        assert article.title not in body


@pytest.mark.parametrize("caller", ["anon", "keyed"])
def test_detail_refuses_every_invisible_kind_by_slug_and_uuid(world, caller, request):
    client = request.getfixturevalue(caller)
    visible, hidden = world
    for kind, article in hidden.items():
        for ident in (article.slug, str(article.uuid)):
            response = client.get(f"/api/v1/articles/{ident}")
            assert response.status_code == 404, (kind, ident)
            assert response.json()["error"] == "not_found"
    assert client.get(f"/api/v1/articles/{visible.slug}").status_code == 200


def test_working_copy_edits_stay_out_until_published(world, keyed, editor):
    visible, hidden = world
    data = keyed.get(f"/api/v1/articles/{visible.uuid}").json()
    assert data["title"] == "可见的人工智能文章"
    assert "尚未发布的修改" not in data["body"]
    workflow.submit_for_review(hidden["working-copy"], by=editor)
    workflow.approve(hidden["working-copy"], by=editor)
    workflow.publish(hidden["working-copy"], by=editor)
    data = keyed.get(f"/api/v1/articles/{visible.uuid}").json()
    assert data["title"] == "隐藏人工智能工作副本"
    assert "尚未发布的修改" in data["body"]


def test_tags_of_unpublished_articles_are_not_listed(world, anon):
    names = [tag["name"] for tag in anon.get("/api/v1/tags").json()["results"]]
    assert names == ["人工智能"]


@pytest.mark.parametrize("page_cache", [False, True])
def test_unpublished_article_is_gone_on_the_next_request(
    topic, editor, anon, keyed, settings, page_cache
):
    settings.PAGE_CACHE = page_cache
    settings.COUNT_CACHE = page_cache
    article = make_article(topic=topic, title="即将撤下的文章")
    urls = ["/api/v1/articles", f"/api/v1/articles/{article.slug}"]
    for client in (anon, keyed):
        for url in urls:
            assert "即将撤下的文章" in client.get(url).content.decode()
    workflow.unpublish(article, by=editor)
    for client in (anon, keyed):
        assert client.get(urls[0]).json()["results"] == []
        assert client.get(urls[1]).status_code == 404


def test_scheduled_article_appears_at_its_time(topic, anon, time_machine):
    at = timezone.now() + timedelta(hours=1)
    article = make_article(topic=topic, title="定时发布的文章", published_at=at)
    assert anon.get(f"/api/v1/articles/{article.slug}").status_code == 404
    time_machine.move_to(at + timedelta(seconds=1))
    assert anon.get(f"/api/v1/articles/{article.slug}").status_code == 200


def test_api_is_never_served_from_the_page_cache(topic, anon, keyed, settings):
    """Keyed answers carry the body: they must never reach an anonymous caller."""
    settings.PAGE_CACHE = True
    settings.COUNT_CACHE = True
    make_article(topic=make_topic("科技前沿"), body="<p>只给合作方的全文</p>")
    for _ in range(2):
        keyed_response = keyed.get("/api/v1/articles")
        assert "只给合作方的全文" in keyed_response.content.decode()
        assert "X-Page-Cache" not in keyed_response
        anonymous = anon.get("/api/v1/articles")
        assert "只给合作方的全文" not in anonymous.content.decode()
        assert "X-Page-Cache" not in anonymous
