"""
Partner keys: what they unlock, how they are refused, how the desk makes
and revokes them (the key shown once, only a hash kept).
"""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from api.keys import hash_key, issue_key, revoke_key
from api.models import PartnerKey
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db

BODY = "<p>第一段全文。</p><p>第二段全文,只有合作方能读到。</p>"


@pytest.fixture
def article(topic):
    return make_article(topic=topic, title="合作方全文测试", standfirst="这是导语。", body=BODY)


def test_anonymous_callers_get_the_summary_only(article, anon):
    for url in ["/api/v1/articles", f"/api/v1/articles/{article.slug}"]:
        response = anon.get(url)
        data = response.json()
        item = data["results"][0] if "results" in data else data
        assert item["summary"] == "这是导语。"
        assert item["body"] is None
        assert "第二段全文" not in response.content.decode()


def test_a_partner_key_unlocks_the_full_text(article, keyed):
    for url in ["/api/v1/articles", f"/api/v1/articles/{article.slug}"]:
        data = keyed.get(url).json()
        item = data["results"][0] if "results" in data else data
        assert item["body"] == BODY
        assert item["summary"] == "这是导语。"


def test_full_text_is_sanitized_on_the_way_out(article, keyed):
    """A body written around the model (a raw update) still reaches partners cleaned."""
    type(article).objects.filter(pk=article.pk).update(
        body='<p onclick="steal()">正文</p><script>alert(1)</script>'
    )
    body = keyed.get(f"/api/v1/articles/{article.slug}").json()["body"]
    assert "正文" in body
    assert "<script" not in body and "onclick" not in body


def test_summary_without_a_standfirst_is_the_start_of_the_text(topic, anon):
    make_article(topic=topic, standfirst="", body="<p>" + "很长的正文。" * 100 + "</p>")
    summary = anon.get("/api/v1/articles").json()["results"][0]["summary"]
    assert summary.startswith("很长的正文。") and "<p>" not in summary
    assert len(summary) == 160


def test_a_revoked_key_is_refused(article, partner, keyed):
    assert keyed.get("/api/v1/articles").status_code == 200
    revoke_key(partner[0], by=None)
    for url in ["/api/v1/articles", f"/api/v1/articles/{article.slug}", "/api/v1/topics"]:
        response = keyed.get(url)
        assert response.status_code == 401
        assert response.json()["error"] == "key_revoked"
        assert response["WWW-Authenticate"].startswith("ApiKey")
        assert "第二段全文" not in response.content.decode()


@pytest.mark.parametrize(
    "key",
    [
        "",
        "nonsense",
        "abcdefgh.wrongwrongwrongwrongwrongwrongwron",
        "x" * 5000,
        "密钥密钥密钥密钥.ABCDEFGHIJKLMNOPQRSTUVWXYZ012345",
    ],
)
def test_unknown_or_malformed_keys_are_refused_not_served_as_anonymous(article, key):
    response = Client(headers={"X-API-Key": key}).get("/api/v1/articles")
    assert response.status_code == 401
    assert response.json()["error"] == "key_unknown"


def test_a_key_with_the_right_prefix_and_a_wrong_secret_is_refused(article, partner):
    prefix = partner[1].split(".")[0]
    forged = f"{prefix}.{'A' * 32}"
    response = Client(headers={"X-API-Key": forged}).get("/api/v1/articles")
    assert response.status_code == 401


def test_only_a_hash_of_the_key_is_stored(partner):
    partner_key, raw = partner
    stored = PartnerKey.objects.filter(pk=partner_key.pk).values().get()
    assert raw not in str(stored)
    assert stored["hashed_key"] == hash_key(raw)
    assert raw.startswith(stored["prefix"] + ".")


def test_keys_are_unique(db):
    raws = {issue_key(PartnerKey(name=f"p{i}"), by=None) for i in range(20)}
    assert len(raws) == 20
    assert PartnerKey.objects.values("prefix").distinct().count() == 20


# The desk ----------------------------------------------------------------------


@pytest.fixture
def chief(db):
    return make_user("chief")


def test_chief_editor_makes_a_key_and_sees_it_once(chief, article):
    desk = Client()
    desk.force_login(chief)
    response = desk.post("/admin/api/partnerkey/add/", {"name": "某小程序", "note": "联系人:张三"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    partner_key = PartnerKey.objects.get(name="某小程序")
    assert partner_key.created_by == chief
    page = response.content.decode()
    raw = page.split('<code id="partner-key">')[1].split("</code>")[0]
    assert hash_key(raw) == partner_key.hashed_key
    # The key works, and is never shown again.
    assert Client(headers={"X-API-Key": raw}).get("/api/v1/articles").json()["results"][0]["body"]
    for url in ["/admin/api/partnerkey/", f"/admin/api/partnerkey/{partner_key.pk}/change/"]:
        page = desk.get(url).content.decode()
        assert partner_key.prefix in page
        assert raw not in page


def test_chief_editor_revokes_keys_from_the_list(chief, partner, keyed, article):
    desk = Client()
    desk.force_login(chief)
    response = desk.post(
        "/admin/api/partnerkey/",
        {"action": "revoke", "_selected_action": [partner[0].pk]},
        follow=True,
    )
    assert response.status_code == 200
    partner[0].refresh_from_db()
    assert partner[0].revoked_at is not None and partner[0].revoked_by == chief
    assert keyed.get("/api/v1/articles").status_code == 401
    # Revoked keys stay on record; nobody deletes them.
    assert desk.get(f"/admin/api/partnerkey/{partner[0].pk}/delete/").status_code == 403


def test_writers_and_editors_cannot_see_keys(db):
    for role in ["writer", "editor"]:
        desk = Client()
        desk.force_login(make_user(role))
        assert desk.get("/admin/api/partnerkey/").status_code == 403
    chief_group = Group.objects.get(name="总编 Chief editor")
    assert set(
        chief_group.permissions.filter(content_type__app_label="api").values_list(
            "codename", flat=True
        )
    ) == {"view_partnerkey", "add_partnerkey", "change_partnerkey"}
