from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from reversion.models import Version

from articles.models import Article, ArticleEvent
from images.models import Image
from spun.models import SpunCheck

pytestmark = pytest.mark.django_db


def run():
    out = StringIO()
    call_command("load_demo_content", articles=30, stdout=out)
    return out.getvalue()


def test_demo_content_loads_once_with_the_seed_and_prints_logins(client):
    output = run()
    seed = Article.objects.get(title="让世界共享人工智能发展红利(和音)")
    assert seed.featured and seed.source.name == "人民日报"
    assert sorted(t.name for t in seed.tags.all()) == ["合作", "国际", "建设"]
    assert Article.objects.published().count() > 20
    assert Article.objects.exclude(pk__in=Article.objects.published()).exists()  # hidden ones too
    assert "username: editor" in output and "username: writer" in output
    password = output.split("username: editor  password: ")[1].split()[0]
    # Through the login form, as a person logs in (django-axes counts attempts there).
    response = client.post("/admin/login/", {"username": "editor", "password": password})
    assert response.status_code == 302 and "_auth_user_id" in client.session
    assert User.objects.get(username="editor").has_perm("articles.publish_article")
    assert not User.objects.get(username="writer").has_perm("articles.publish_article")
    count = Article.objects.count()
    assert "already present" in run()
    assert Article.objects.count() == count
    home = client.get("/").content.decode()
    assert "让世界共享人工智能发展红利" in home
    # Demo pictures are made locally and used as lead images and in the seed's body.
    assert Image.objects.count() == 10
    assert seed.lead_image is not None and seed.lead_image.alt_text
    assert '<figure data-image-id="' in seed.body
    assert "<picture>" in home
    assert Article.objects.published().filter(lead_image__isnull=False).count() > 10
    assert Article.objects.published().filter(lead_image__isnull=True).exists()
    page = client.get(seed.get_absolute_url()).content.decode()
    assert 'class="figure body-figure"' in page and 'property="og:image"' in page


def test_demo_articles_are_written_through_the_workflow_with_their_history():
    from reversion.models import Version

    run()
    seed = Article.objects.get(title="让世界共享人工智能发展红利(和音)")
    actions = list(seed.events.order_by("pk").values_list("action", "actor__username"))
    # Written, its spun phrases restored, published.
    assert actions == [("create", "editor"), ("edit", "editor"), ("publish", "editor")]
    assert Version.objects.get_for_object(seed).count() == 3
    waiting = Article.objects.filter(status=Article.Status.REVIEW).first()
    assert waiting.created_by.username == "writer"
    assert waiting.events.filter(action="submit").exists()


def test_demo_seed_is_restored_from_spun_copy_with_its_history(client):
    run()
    seed = Article.objects.get(title__startswith="让世界共享")
    # Reads as real Chinese: the spinner's swaps are restored ...
    assert "人工智能能力建设国际合作之友小组" in seed.standfirst
    assert "权威性的政府间国际组织" in seed.standfirst
    assert "发挥桥梁纽带作用" in seed.standfirst
    for spun in ("野生智能", "权势巨子", "会媾和", "失落队"):
        assert spun not in seed.title + seed.standfirst + seed.body
    assert not SpunCheck.objects.filter(article=seed).exists()
    # ... and the history shows the flag, the restoration and the publication.
    events = list(seed.events.order_by("created_at", "pk"))
    assert [e.action for e in events] == [
        ArticleEvent.Action.CREATE,
        ArticleEvent.Action.EDIT,
        ArticleEvent.Action.PUBLISH,
    ]
    assert "178" in events[0].note  # pinyin glosses removed
    assert "野生智能→人工智能" in events[0].note  # the flag at import
    assert "野生智能→人工智能 ×" in events[1].note  # what was restored
    versions = Version.objects.get_for_object(seed)
    assert versions.count() == 3  # imported, restored, published
    assert "野生智能" in versions.last().field_dict["standfirst"]
    # A search for 人工智能 finds it now.
    assert seed.get_absolute_url() in client.get("/search/", {"q": "人工智能"}).content.decode()
