"""
Shareable previews (previews/): an editor makes a link from the article's
page; anyone holding it sees the current, unpublished text under a banner,
never cached, never indexed, until it expires, is revoked or the article is
trashed. Writers cannot make one, garbage tokens are a 404, and nothing else
unpublished leaks through the page or onto any public surface.
"""

import hashlib
import re
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import workflow
from articles.models import Article
from previews import services
from previews.models import PreviewEvent, PreviewLink
from tests.factories import make_article, make_topic, make_user
from tests.security.test_database_down import database_down  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

S = Article.Status
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-CN"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def editor():
    return make_user("editor")


@pytest.fixture
def writer():
    return make_user("writer")


@pytest.fixture
def draft(writer):
    topic = make_topic("半导体")
    return make_article(
        title="未发布:晶圆厂新址曝光",
        topic=topic,
        status=S.DRAFT,
        published_at=None,
        created_by=writer,
        standfirst="导语:尚在核实",
        body="<p>消息人士称，新厂将落户苏州。</p>",
        tags=["芯片"],
    )


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def make_link(client, article, **data):
    """POST the desk's form; returns (response, preview path or None)."""
    response = client.post(reverse("admin:previews_previewlink_create", args=[article.pk]), data)
    if response.status_code != 200:
        return response, None
    url = response.context["preview_url"]
    return response, url[url.index("/preview/") :]


def anonymous(path, **headers):
    return Client().get(path, **headers)


# Making a link -------------------------------------------------------------------


def test_editor_makes_a_link_on_the_article_page_and_it_is_listed(editor, draft):
    client = logged_in(editor)
    page = client.get(reverse("admin:articles_article_change", args=[draft.pk]), **EN)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="previews"' in html
    assert "No preview links yet." in html
    default = re.search(r'name="expires_at" value="([^"]+)"', html).group(1)
    expected = timezone.localtime(timezone.now() + timedelta(hours=48))
    assert default[:13] == f"{expected:%Y-%m-%dT%H}"  # 48 hours ahead, in the site's zone

    response, path = make_link(client, draft)
    assert response.status_code == 200
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    token = path.split("/")[2]
    link = PreviewLink.objects.get()
    # Only the hash is kept, never the token.
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in link.token_hash
    assert link.created_by == editor
    assert (
        timedelta(hours=47, minutes=59) < link.expires_at - link.created_at <= timedelta(hours=48)
    )

    page = client.get(reverse("admin:articles_article_change", args=[draft.pk]), **EN)
    row = re.search(
        rf'<tr data-link="{link.pk}" data-state="active">(.*?)</tr>', page.content.decode(), re.S
    )
    assert row and "editor" in row.group(1) and "Revoke" in row.group(1)
    assert f"{timezone.localtime(link.expires_at):%Y-%m-%d %H:%M}" in row.group(1)
    # The audit trail, the way the workflow keeps it.
    event = PreviewEvent.objects.get()
    assert (event.action, event.actor, event.article, event.link) == ("create", editor, draft, link)
    assert event.article_title == draft.title


def test_editor_chooses_until_when_the_link_works(editor, draft):
    until = timezone.localtime(timezone.now() + timedelta(days=5)).replace(second=0, microsecond=0)
    _response, path = make_link(logged_in(editor), draft, expires_at=f"{until:%Y-%m-%dT%H:%M}")
    assert path
    assert PreviewLink.objects.get().expires_at == until


@pytest.mark.parametrize(
    "expires_at, message",
    [
        ("2001-01-01T10:00", "Choose a time in the future."),
        ("2999-01-01T10:00", "A preview link is valid for at most 30 days."),
        ("tomorrow", "Enter a valid date/time."),
    ],
)
def test_a_bad_time_is_refused_with_a_message(editor, draft, expires_at, message):
    client = logged_in(editor)
    response = client.post(
        reverse("admin:previews_previewlink_create", args=[draft.pk]),
        {"expires_at": expires_at},
        follow=True,
        **EN,
    )
    assert response.status_code == 200
    assert message in [str(m) for m in response.context["messages"]]
    assert not PreviewLink.objects.exists()


def test_writer_cannot_make_or_revoke_a_link_with_a_crafted_post(writer, editor, draft):
    client = logged_in(writer)
    page = client.get(reverse("admin:articles_article_change", args=[draft.pk]))
    assert page.status_code == 200
    assert 'id="previews"' not in page.content.decode()  # no panel for writers
    response = client.post(reverse("admin:previews_previewlink_create", args=[draft.pk]), {})
    assert response.status_code == 403
    assert not PreviewLink.objects.exists()
    assert not PreviewEvent.objects.exists()

    link, _token = services.create_link(draft, by=editor)
    response = client.post(reverse("admin:previews_previewlink_revoke", args=[link.pk]))
    assert response.status_code == 403
    link.refresh_from_db()
    assert link.revoked_at is None
    # Nor through the list of links.
    assert client.get(reverse("admin:previews_previewlink_changelist")).status_code == 403


def test_no_link_to_a_published_or_trashed_article(editor, draft):
    live = make_article(title="已发布的文章")
    with pytest.raises(ValidationError) as refusal:
        services.create_link(live, by=editor)
    assert refusal.value.code == "state"
    client = logged_in(editor)
    response = client.post(
        reverse("admin:previews_previewlink_create", args=[live.pk]), follow=True, **EN
    )
    assert "share its address" in " ".join(str(m) for m in response.context["messages"])
    workflow.trash(draft, by=editor)
    response = client.post(
        reverse("admin:previews_previewlink_create", args=[draft.pk]), follow=True, **EN
    )
    assert "in the trash" in " ".join(str(m) for m in response.context["messages"])
    assert not PreviewLink.objects.exists()
    assert (
        client.post(reverse("admin:previews_previewlink_create", args=[999999])).status_code == 404
    )


def test_desk_urls_answer_get_with_405(editor, draft):
    client = logged_in(editor)
    link, _token = services.create_link(draft, by=editor)
    assert (
        client.get(reverse("admin:previews_previewlink_create", args=[draft.pk])).status_code == 405
    )
    assert (
        client.get(reverse("admin:previews_previewlink_revoke", args=[link.pk])).status_code == 405
    )


# Opening it ----------------------------------------------------------------------


def test_anonymous_holder_sees_the_current_text_with_the_banner(editor, draft):
    _response, path = make_link(logged_in(editor), draft)
    response = anonymous(path, **ZH)
    assert response.status_code == 200
    html = response.content.decode()
    assert draft.title in html
    assert "导语:尚在核实" in html and "消息人士称，新厂将落户苏州。" in html
    assert 'id="preview-banner"' in html and "预览，未发布" in html
    # The stored text as it is now, not as it was when the link was made.
    draft.body = "<p>更新:新厂将落户无锡。</p>"
    draft.save()
    html = anonymous(path, **ZH).content.decode()
    assert "更新:新厂将落户无锡。" in html and "苏州" not in html
    # In English too.
    assert "Preview, not published" in anonymous(path, **EN).content.decode()


def test_preview_is_noindex_private_and_has_no_referrer_and_no_inline_script(editor, draft):
    _response, path = make_link(logged_in(editor), draft)
    response = anonymous(path)
    assert response.status_code == 200
    assert "noindex" in response["X-Robots-Tag"]
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    html = response.content.decode()
    assert re.search(r'<meta name="robots" content="noindex[^"]*">', html)
    assert 'rel="canonical"' not in html and "og:url" not in html
    # The site's policy holds: this site's scripts only, nothing inline (there are none).
    policy = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy
        and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )
    assert "<script" not in html
    # The refusals are just as private.
    refused = anonymous("/preview/" + "x" * 43 + "/")
    assert refused["Cache-Control"] == "private, no-store"
    assert "noindex" in refused["X-Robots-Tag"]


def test_preview_shows_nothing_else_unpublished(editor, draft, writer):
    topic = draft.topic
    # Neighbours in time and in tags, published and not.
    make_article(title="邻近已发布文章", topic=topic, tags=["芯片"])
    other_draft = make_article(
        title="另一篇未发布草稿", topic=topic, status=S.DRAFT, tags=["芯片"], created_by=writer
    )
    draft.related_ids = [other_draft.pk]
    draft.save()
    _response, path = make_link(logged_in(editor), draft)
    html = anonymous(path).content.decode()
    assert "另一篇未发布草稿" not in html
    assert "邻近已发布文章" not in html  # no previous/next, no related list
    assert 'class="prev-next"' not in html and 'class="related"' not in html
    assert "/admin/" not in html  # no edit links


def test_not_in_sitemaps_feeds_search_or_lists(editor, draft, client):
    _response, path = make_link(logged_in(editor), draft)
    token = path.split("/")[2]
    for url in [
        "/",
        "/archive/",
        draft.topic.get_absolute_url(),
        "/tags/xin-pian/",
        "/feeds/rss/",
        "/feeds/atom/",
        "/feeds/json/",
        "/sitemap.xml",
        "/sitemap-news.xml",
        "/sitemap-articles.xml",
        "/search/?q=晶圆厂",
        "/robots.txt",
        "/api/v1/articles/",
    ]:
        response = client.get(url)
        body = response.content.decode()
        assert "/preview/" not in body, url
        assert token not in body, url
        assert draft.title not in body, url


def test_never_stored_in_the_page_cache(editor, draft, settings):
    settings.PAGE_CACHE = True
    settings.PAGE_CACHE_SECONDS = 600
    _response, path = make_link(logged_in(editor), draft)
    first = anonymous(path)
    assert first.status_code == 200
    assert "X-Page-Cache" not in first  # not even looked up (PAGE_CACHE_EXCLUDE_PREFIXES)
    # And were it looked up, a private answer is never stored.
    from articles.cache import AnonymousPageCacheMiddleware

    assert not AnonymousPageCacheMiddleware.is_cacheable_response(first)
    settings.PAGE_CACHE_EXCLUDE_PREFIXES = ("/admin/",)
    assert "X-Page-Cache" not in anonymous(path)  # looked up, missed, not stored
    services.revoke_link(PreviewLink.objects.get(), by=editor)
    assert anonymous(path).status_code == 410  # a stored copy would still say 200


def test_link_expires_at_its_time(editor, draft):
    _response, path = make_link(logged_in(editor), draft)
    now = timezone.now()
    with time_machine.travel(now + timedelta(hours=47, minutes=59)):
        assert anonymous(path).status_code == 200
    with time_machine.travel(now + timedelta(hours=48, minutes=1)):
        response = anonymous(path, **EN)
        page = logged_in(editor).get(reverse("admin:articles_article_change", args=[draft.pk]))
    assert response.status_code == 410
    assert "The preview link has expired." in response.content.decode()
    assert draft.title not in response.content.decode()
    assert 'data-state="expired"' in page.content.decode()


def test_revoked_link_is_refused_and_listed_with_who_revoked_it(editor, draft):
    client = logged_in(editor)
    _response, path = make_link(client, draft)
    link = PreviewLink.objects.get()
    response = client.post(reverse("admin:previews_previewlink_revoke", args=[link.pk]), **EN)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/admin/articles/article/{draft.pk}/change/#previews")
    response = anonymous(path, **ZH)
    assert response.status_code == 410
    assert "预览链接已撤回" in response.content.decode()
    link.refresh_from_db()
    assert link.revoked_by == editor
    assert [e.action for e in PreviewEvent.objects.order_by("pk")] == ["create", "revoke"]
    page = client.get(reverse("admin:articles_article_change", args=[draft.pk]), **EN)
    assert 'data-state="revoked"' in page.content.decode()
    assert "revoked by editor" in page.content.decode()
    # Revoking again changes nothing and writes no second event.
    client.post(reverse("admin:previews_previewlink_revoke", args=[link.pk]))
    assert PreviewEvent.objects.filter(action="revoke").count() == 1


def test_revoke_from_the_list_of_links(editor, draft):
    client = logged_in(editor)
    services.create_link(draft, by=editor)
    services.create_link(draft, by=editor)
    changelist = reverse("admin:previews_previewlink_changelist")
    page = client.get(changelist, **EN)
    assert page.status_code == 200 and draft.title in page.content.decode()
    ids = list(PreviewLink.objects.values_list("pk", flat=True))
    client.post(changelist, {"action": "revoke_selected", "_selected_action": ids})
    assert not PreviewLink.objects.usable().exists()
    assert client.get(reverse("admin:previews_previewevent_changelist")).status_code == 200


def test_trashed_article_is_refused_and_its_links_stay_revoked_after_restore(
    editor, draft, django_capture_on_commit_callbacks
):
    _response, path = make_link(logged_in(editor), draft)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.trash(draft, by=editor)
    response = anonymous(path, **EN)
    assert response.status_code == 410
    assert "no longer available for preview" in response.content.decode()
    link = PreviewLink.objects.get()
    assert link.revoked_by == editor  # the trash took the link with it
    workflow.restore(draft, by=editor)
    assert anonymous(path).status_code == 410


def test_trashed_article_is_refused_even_before_the_links_are_revoked(editor, draft):
    _response, path = make_link(logged_in(editor), draft)
    Article.objects.filter(pk=draft.pk).update(deleted_at=timezone.now())
    assert anonymous(path).status_code == 410


def test_purged_article_link_is_gone_and_its_record_stays(editor, draft):
    _response, path = make_link(logged_in(editor), draft)
    workflow.trash(draft, by=editor)
    workflow.empty_trash(by=make_user("chief"))
    assert anonymous(path).status_code == 404
    event = PreviewEvent.objects.get(action="create")
    assert event.article is None and event.article_title == "未发布:晶圆厂新址曝光"


def test_a_scheduled_article_that_went_live_sends_the_holder_to_its_page(editor, draft):
    workflow.publish(draft, by=editor, at=timezone.now() + timedelta(hours=2))
    _response, path = make_link(logged_in(editor), draft)
    assert anonymous(path).status_code == 200  # scheduled: still a preview
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        response = anonymous(path)
    assert response.status_code == 302
    assert response["Location"] == draft.get_absolute_url()
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    "token",
    [
        "abc",
        "x" * 43,  # well formed, unknown
        "x" * 42 + "!",
        "%00" * 20,
        "预览" * 30,
        "a" * 5000,
    ],
)
def test_bad_or_garbled_token_is_a_readable_404(db, token):
    response = anonymous(f"/preview/{token}/", **EN)
    assert response.status_code == 404
    assert "No such preview" in response.content.decode()


def test_a_token_with_slashes_is_a_404(db):
    assert anonymous("/preview/..%2F..%2Fetc/").status_code == 404
    assert anonymous("/preview/").status_code == 404


def test_preview_answers_only_get_and_head(editor, draft):
    _response, path = make_link(logged_in(editor), draft)
    assert Client().head(path).status_code == 200
    assert Client().post(path).status_code == 405


# Cost ----------------------------------------------------------------------------


def queries_for(path):
    with CaptureQueriesContext(connection) as ctx:
        response = anonymous(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_preview_costs_the_same_queries_at_two_sizes(editor, writer):
    def scene(n):
        topic = make_topic(f"栏目{n}")
        article = make_article(
            title=f"未发布{n}", topic=topic, status=S.DRAFT, created_by=writer,
            tags=[f"标签{n}-{i}" for i in range(n)],
        )  # fmt: skip
        for i in range(n):
            make_article(title=f"其他{n}-{i}", topic=topic, tags=[f"标签{n}-0"])
            services.create_link(article, by=editor)  # other links on the same article
        _link, token = services.create_link(article, by=editor)
        return f"/preview/{token}/"

    small, large = scene(1), scene(12)
    assert queries_for(small) == queries_for(large) == 4


# Outages ---------------------------------------------------------------------------


def test_preview_answers_with_redis_down(editor, draft, settings):
    from newsroom import resilience
    from tests.security.test_redis_down import CLOSED_PORT_URL, resilient_cache

    _response, path = make_link(logged_in(editor), draft)
    resilience._breakers.clear()
    settings.CACHES = resilient_cache(CLOSED_PORT_URL)
    settings.PAGE_CACHE = True
    try:
        response = anonymous(path)
        assert response.status_code == 200
        assert draft.title in response.content.decode()
        # And an editor still makes and revokes links.
        _response, second = make_link(logged_in(editor), draft)
        assert anonymous(second).status_code == 200
    finally:
        resilience._breakers.clear()


def test_preview_answers_503_not_500_with_the_database_down(
    editor,
    draft,
    database_down,  # noqa: F811 (the fixture imported above)
):
    from newsroom.resilience import database_breaker

    _response, path = make_link(logged_in(editor), draft)
    database_down.go()
    try:
        response = anonymous(path)
    finally:
        database_down.back()
        database_breaker.down = False
    assert response.status_code == 503
    assert "no-store" in response["Cache-Control"]
