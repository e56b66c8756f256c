"""
Security checklist: Content-Security-Policy on every kind of page, and security.txt
(issue 9, item 6). The browser tests (tests/test_browser.py, test_browser_images.py,
tests/api/test_docs_browser.py) run the desk's editor and image chooser under it.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article, make_topic, make_user

pytestmark = pytest.mark.django_db


def directives(response):
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


def assert_strict(policy):
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no inline script, no eval, no nonce
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]


@pytest.fixture
def article():
    topic = make_topic("业界新闻")
    return make_article(
        topic=topic,
        title="芯片产业报道",
        tags=["芯片"],
        published_at=timezone.now() - timedelta(days=1),
    )


def public_urls(article):
    day = timezone.localtime(article.published_at)
    return {
        "home": "/",
        "article": article.get_absolute_url(),
        "topic": article.topic.get_absolute_url(),
        "tag": reverse("articles:tag", args=[article.tags.get().slug]),
        "archive": reverse("articles:archive"),
        "archive year": reverse("articles:archive-year", args=[day.year]),
        "archive month": reverse("articles:archive-month", args=[day.year, f"{day.month:02d}"]),
        "archive day": reverse(
            "articles:archive-day", args=[day.year, f"{day.month:02d}", f"{day.day:02d}"]
        ),
        "search": "/search/?q=芯片",
        "not found": "/articles/no-such-article/",
    }


def test_every_public_page_has_the_strict_policy(article):
    client = Client()
    for kind, url in public_urls(article).items():
        response = client.get(url)
        assert response.status_code == (404 if kind == "not found" else 200), kind
        policy = directives(response)
        assert_strict(policy)
        assert policy["style-src"] == ["'self'"], kind
        html = response.content.decode()
        # Nothing on the page needs what the policy forbids.
        assert " style=" not in html and " onclick=" not in html, kind
        for script in html.split("<script")[1:]:
            assert (
                'type="application/ld+json"' in script.split(">")[0]
                or " src=" in script.split(">")[0]
            ), kind


def test_cached_pages_carry_the_policy_too(article, settings):
    settings.PAGE_CACHE = True
    client = Client()
    assert client.get("/")["X-Page-Cache"] == "miss"
    second = client.get("/")
    assert second["X-Page-Cache"] == "hit"
    assert_strict(directives(second))


def test_desk_pages_allow_inline_styles_but_no_inline_script(article):
    client = Client()
    login = client.get(reverse("admin:login"))
    assert_strict_admin(directives(login))
    client.force_login(make_user("editor"))
    for url in (reverse("admin:index"), reverse("admin:articles_article_changelist")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict_admin(directives(response))
    # The body editor's import map is inline: it carries this response's nonce.
    nonces = set()
    draft = make_article(topic=article.topic, title="草稿", status=Article.Status.DRAFT)
    for url in (
        reverse("admin:articles_article_change", args=[draft.pk]),
        reverse("admin:articles_article_add"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        policy = directives(response)
        assert_strict_admin(policy, nonce=True)
        nonce = policy["script-src"][1][len("'nonce-") : -1]
        assert f'<script type="importmap" nonce="{nonce}">' in response.content.decode()
        nonces.add(nonce)
    assert len(nonces) == 2  # one per response


def assert_strict_admin(policy, nonce=False):
    assert policy["default-src"] == ["'self'"]
    if nonce:
        assert policy["script-src"][0] == "'self'" and policy["script-src"][1].startswith("'nonce-")
    else:
        assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'self'"]


def test_media_on_another_host_is_allowed_for_images_only(settings):
    from newsroom import settings as production

    assert "img-src" in production.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert production._origin("https://cdn.example.com/media/") == "https://cdn.example.com"
    assert production._origin("/media/") is None


def test_security_txt_is_served_from_settings(settings):
    url = "/.well-known/security.txt"
    settings.SECURITY_CONTACT = []
    assert Client().get(url).status_code == 404
    settings.SECURITY_CONTACT = ["mailto:security@example.com", "https://example.com/report"]
    settings.SITE_URL = "https://news.example.com"
    settings.SECURITY_POLICY_URL = "https://news.example.com/disclosure/"
    response = Client().get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[:2] == [
        "Contact: mailto:security@example.com",
        "Contact: https://example.com/report",
    ]
    expires = [line for line in lines if line.startswith("Expires: ")][0]
    assert expires > f"Expires: {timezone.now():%Y-%m-%d}"
    assert "Canonical: https://news.example.com/.well-known/security.txt" in lines
    assert "Policy: https://news.example.com/disclosure/" in lines
