"""The related articles stored on each article (articles/related.py) and what the page shows."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from articles import workflow
from articles.models import Article
from articles.related import RELATED_STORED, compute_related, refresh_related
from tests.factories import make_article, make_unpublished_variants, make_user

S = Article.Status


@pytest.fixture
def chief(db):
    return make_user("chief")


def related_urls(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    match = re.search(
        r'<section class="related\b[^"]*"[^>]*>(.*?)</section>', response.content.decode(), re.S
    )
    return re.findall(r'<a href="([^"]*)">', match.group(1)) if match else []


def test_stored_list_is_computed_on_publish_and_read_by_the_page(
    client, topic, chief, django_capture_on_commit_callbacks
):
    older = make_article(topic=topic, tags=["芯片", "国际"], age=timedelta(hours=3))
    other = make_article(topic=topic, tags=["芯片"], age=timedelta(hours=2))
    make_article(topic=topic, tags=["无关"], age=timedelta(hours=2))
    article = make_article(topic=topic, status=S.APPROVED, published_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.save_article(article, by=chief, tags=["芯片", "国际"])
        workflow.publish(article, by=chief)

    article.refresh_from_db()
    assert article.related_ids == [older.pk, other.pk]
    assert related_urls(client, article) == [older.get_absolute_url(), other.get_absolute_url()]
    # Its neighbours' lists were refreshed too: the new article joins them at once.
    older.refresh_from_db()
    assert older.related_ids[0] == article.pk


def test_stored_list_follows_a_tag_change(client, topic, chief, django_capture_on_commit_callbacks):
    chips = make_article(topic=topic, tags=["芯片"], age=timedelta(hours=2))
    wind = make_article(topic=topic, tags=["风电"], age=timedelta(hours=2))
    article = make_article(topic=topic, status=S.DRAFT, published_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.save_article(article, by=chief, tags=["芯片"])
    article.refresh_from_db()
    assert article.related_ids == [chips.pk]

    with django_capture_on_commit_callbacks(execute=True):
        workflow.save_article(article, by=chief, tags=["风电"])
        workflow.publish(article, by=chief)

    article.refresh_from_db()
    assert article.related_ids == [wind.pk]
    assert related_urls(client, article) == [wind.get_absolute_url()]


def test_unpublished_articles_never_enter_a_stored_list(client, topic):
    variants = make_unpublished_variants(topic=topic, tags=["芯片"])
    visible = make_article(topic=topic, tags=["芯片"], age=timedelta(hours=3))
    article = make_article(topic=topic, tags=["芯片"])

    stored = compute_related([article.pk])

    assert stored[article.pk] == [visible.pk]
    assert set(stored[article.pk]).isdisjoint(v.pk for v in variants.values())
    assert related_urls(client, article) == [visible.get_absolute_url()]


@pytest.mark.parametrize(
    "leave",
    {
        "draft": dict(status=S.DRAFT),
        "review": dict(status=S.REVIEW),
        "unpublished": dict(status=S.UNPUBLISHED),
        "scheduled": dict(published_at=timezone.now() + timedelta(days=1)),
        "expired": dict(expires_at=timezone.now() - timedelta(minutes=1)),
        "trashed": dict(deleted_at=timezone.now()),
    }.items(),
    ids=lambda item: item[0],
)
def test_an_article_leaving_publication_vanishes_from_stored_lists_at_once(client, topic, leave):
    kind, change = leave
    leaving = make_article(topic=topic, tags=["芯片"], age=timedelta(hours=2))
    staying = make_article(topic=topic, tags=["芯片"], age=timedelta(hours=3))
    article = make_article(topic=topic, tags=["芯片"])
    refresh_related([article.pk])
    assert related_urls(client, article) == [
        leaving.get_absolute_url(),
        staying.get_absolute_url(),
    ]

    # A write that goes around the workflow: the stored list still names it...
    Article.objects.filter(pk=leaving.pk).update(**change)
    article.refresh_from_db()
    assert leaving.pk in article.related_ids
    # ...and the page, reading through published(), does not show it.
    assert related_urls(client, article) == [staying.get_absolute_url()], kind


def test_unpublish_and_trash_through_the_workflow_empty_the_lists(
    client, topic, chief, django_capture_on_commit_callbacks
):
    first = make_article(topic=topic, tags=["芯片"], age=timedelta(hours=2))
    second = make_article(topic=topic, tags=["芯片"], age=timedelta(hours=3))
    article = make_article(topic=topic, tags=["芯片"])
    refresh_related([article.pk, first.pk, second.pk])

    with django_capture_on_commit_callbacks(execute=True):
        workflow.unpublish(first, by=chief)
        workflow.trash(second, by=chief)

    assert related_urls(client, article) == []
    article.refresh_from_db()
    assert article.related_ids == []


def test_stored_list_is_bounded(topic):
    for n in range(RELATED_STORED + 5):
        make_article(topic=topic, tags=["芯片"], age=timedelta(hours=n + 2))
    article = make_article(topic=topic, tags=["芯片"])

    assert len(compute_related([article.pk])[article.pk]) == RELATED_STORED


def test_page_costs_the_same_with_a_stored_list_of_any_size(
    client, topic, django_assert_num_queries
):
    article = make_article(topic=topic, tags=["芯片", "国际"])
    make_article(topic=topic, tags=["芯片"], age=timedelta(hours=2))
    refresh_related([article.pk])
    with django_assert_num_queries(7) as small:
        client.get(article.get_absolute_url())
    for n in range(30):
        make_article(topic=topic, tags=["芯片", "国际"], age=timedelta(hours=n + 3))
    refresh_related([article.pk])
    with django_assert_num_queries(len(small.captured_queries)):
        assert len(related_urls(client, article)) == 5


def test_corrections_are_queried_only_when_the_article_has_some(
    client, topic, chief, django_capture_on_commit_callbacks
):
    article = make_article(topic=topic)
    response = client.get(article.get_absolute_url())
    assert "corrections-heading" not in response.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        workflow.add_correction(article, by=chief, text="更正：数据有误")
        workflow.add_correction(article, by=chief, text="再次更正")
    article.refresh_from_db()
    assert article.correction_count == 2
    page = client.get(article.get_absolute_url()).content.decode()
    assert "更正：数据有误" in page and "再次更正" in page


def test_stored_list_matches_the_live_ranking(topic):
    from articles.selectors import related_articles

    names = ["芯片", "国际", "合作", "风电", "光伏"]
    for n in range(25):
        make_article(
            topic=topic,
            tags=[names[n % 5], names[(n * 2 + 1) % 5], names[(n * 3) % 5]],
            age=timedelta(hours=n + 2),
        )
    for article in Article.objects.all()[:5]:
        tag_ids = list(article.tags.values_list("pk", flat=True))
        live = [a.pk for a in related_articles(article, tag_ids)]
        assert compute_related([article.pk])[article.pk][:5] == live
