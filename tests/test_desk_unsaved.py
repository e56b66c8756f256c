"""
The desk never loses a writer's text: workflow buttons save the form first
(through the version check), autosave keeps one slot per user and article,
and a writer can withdraw a submission nobody has picked up.
"""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from articles import workflow
from articles.models import Article, ArticleEvent, Autosave
from tests.factories import make_article, make_user
from tests.test_admin_desk import form_data

pytestmark = pytest.mark.django_db

S = Article.Status


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def autosave_url(article):
    return reverse("admin:articles_article_autosave", args=[article.pk])


@pytest.fixture
def writer():
    return make_user("writer")


@pytest.fixture
def draft(topic, writer):
    return make_article(
        topic=topic, status=S.DRAFT, published_at=None, created_by=writer, standfirst="旧导语"
    )


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


# Workflow buttons save the form first ------------------------------------------------------


def test_submit_with_an_unsaved_standfirst_saves_it_then_submits(draft, writer):
    """Was: the article went to review without the edit, silently."""
    data = form_data(draft, standfirst="新导语:未保存的修改")
    data.pop("_continue")
    data.update({"workflow": "submit", "wf_note_submit": "请审阅"})
    response = client_for(writer).post(change_url(draft), data, follow=True)
    assert response.status_code == 200
    draft.refresh_from_db()
    assert (draft.standfirst, draft.status) == ("新导语:未保存的修改", S.REVIEW)
    actions = list(draft.events.order_by("pk").values_list("action", flat=True))
    assert actions[-2:] == ["edit", "submit"]
    assert draft.notes.get().text == "请审阅"


def test_a_stale_form_with_a_workflow_button_is_refused_and_the_text_is_kept(draft, writer):
    opened = draft.version
    editor = make_user("editor")
    draft.title = "编辑先保存了"
    workflow.save_article(draft, by=editor, base_version=opened)
    stale = form_data(draft, standfirst="作者的新导语", base_version=opened)
    stale.pop("_continue")
    stale["workflow"] = "submit"
    response = client_for(writer).post(change_url(draft), stale)
    assert response.status_code == 200  # the form again, not a redirect
    page = response.content.decode()
    assert "作者的新导语" in page  # the text is kept in the form
    assert any("submit" in m.lower() or "提交" in m for m in messages_of(response))
    draft.refresh_from_db()
    assert (draft.status, draft.standfirst) == (S.DRAFT, "旧导语")
    assert not draft.events.filter(action="submit").exists()


def test_a_workflow_button_on_an_unchanged_form_writes_no_edit(topic):
    editor = make_user("editor")
    article = make_article(topic=topic, status=S.REVIEW, published_at=None)
    versions = Version.objects.get_for_object(article).count()
    data = form_data(article)
    data.pop("_continue")
    data["workflow"] = "approve"
    response = client_for(editor).post(change_url(article), data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == S.APPROVED
    assert not article.events.filter(action="edit").exists()
    assert Version.objects.get_for_object(article).count() == versions + 1  # the approval's


def test_publishing_through_the_form_takes_the_time_from_the_box(topic):
    editor = make_user("editor")
    article = make_article(topic=topic, status=S.APPROVED, published_at=None)
    data = form_data(article, title="改了标题再定时")
    data.pop("_continue")
    data.update({"workflow": "publish", "publish_at": "2099-01-02T08:30"})
    response = client_for(editor).post(change_url(article), data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "改了标题再定时"
    assert workflow.state_of(article) == workflow.SCHEDULED
    assert not Article.objects.published().filter(pk=article.pk).exists()


def test_editable_articles_route_their_buttons_through_the_form(draft, writer, topic):
    page = client_for(writer).get(change_url(draft)).content.decode()
    assert re.search(r'form="article_form" name="workflow"\s+value="submit"', page)
    assert 'name="wf_note_submit"' in page
    # Enter in a field must save, not press the first workflow button.
    first = page.index('form="article_form"')
    assert 'name="_continue"' in page[first : first + 200]
    # A published article is not editable: its buttons keep their own forms.
    published = make_article(topic=topic)
    page = client_for(make_user("editor")).get(change_url(published)).content.decode()
    assert 'form="article_form" name="workflow"' not in page
    assert reverse("admin:articles_article_workflow", args=[published.pk, "unpublish"]) in page


def test_desk_form_script_is_loaded(draft, writer):
    page = client_for(writer).get(change_url(draft)).content.decode()
    assert "articles/desk-form.js" in page
    assert autosave_url(draft) in page


# Withdraw --------------------------------------------------------------------------------


def test_the_writer_withdraws_a_submission_nobody_picked_up(draft, writer):
    workflow.submit_for_review(draft, by=writer)
    assert "withdraw" in workflow.allowed_actions(writer, draft)
    url = reverse("admin:articles_article_workflow", args=[draft.pk, "withdraw"])
    response = client_for(writer).post(url, {"note": "还要补充"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == S.DRAFT
    event = draft.events.order_by("-pk").first()
    assert (event.action, event.from_status, event.to_status) == ("withdraw", "review", "draft")
    # A draft again: the writer edits it.
    assert workflow.can_edit(writer, draft)


@pytest.mark.parametrize("work", ["note", "edit"])
def test_no_withdrawal_once_an_editor_has_started(draft, writer, work):
    editor = make_user("editor")
    workflow.submit_for_review(draft, by=writer)
    if work == "note":
        workflow.add_note(draft, by=editor, text="我在看")
    else:
        draft.title = "编辑改了标题"
        workflow.save_article(draft, by=editor)
    assert "withdraw" not in workflow.allowed_actions(writer, draft)
    with pytest.raises(ValidationError):
        workflow.withdraw(draft, by=writer)
    url = reverse("admin:articles_article_workflow", args=[draft.pk, "withdraw"])
    response = client_for(writer).post(url, follow=True)
    assert response.status_code == 200
    assert Article.objects.get(pk=draft.pk).status == S.REVIEW


def test_an_old_note_from_before_the_submission_does_not_block_withdrawal(draft, writer):
    editor = make_user("editor")
    workflow.submit_for_review(draft, by=writer)
    workflow.send_back(draft, by=editor, note="再改改")
    workflow.submit_for_review(draft, by=writer)
    assert "withdraw" in workflow.allowed_actions(writer, draft)


def test_only_the_author_withdraws(draft, writer):
    workflow.submit_for_review(draft, by=writer)
    for other in (make_user("editor"), make_user("writer", "another")):
        with pytest.raises(PermissionDenied):
            workflow.withdraw(draft, by=other)


# Autosave --------------------------------------------------------------------------------


def autosave_post(client, article, **fields):
    data = {"title": article.title, "body": article.body, "base_version": article.version}
    data.update(fields)
    return client.post(autosave_url(article), data)


def test_autosave_keeps_one_slot_and_no_revision(draft, writer):
    client = client_for(writer)
    versions = Version.objects.get_for_object(draft).count()
    events = ArticleEvent.objects.count()
    for n in range(3):
        response = autosave_post(client, draft, standfirst=f"第{n}次自动保存")
        assert response.status_code == 200, response.content
        assert "saved_at" in response.json()
    slot = Autosave.objects.get(user=writer, article=draft)
    assert slot.data["standfirst"] == "第2次自动保存"
    assert slot.base_version == draft.version
    assert Version.objects.get_for_object(draft).count() == versions
    assert ArticleEvent.objects.count() == events
    assert Article.objects.get(pk=draft.pk).standfirst == "旧导语"


def test_autosave_refuses_what_the_user_may_not_edit_and_bad_input(draft, writer, topic):
    other = make_user("writer", "other")
    assert autosave_post(client_for(other), draft, title="别人的").status_code == 403
    client = client_for(writer)
    assert autosave_post(client, draft, base_version="x").status_code == 400
    assert autosave_post(client, draft, body="字" * 500_000).status_code == 400
    assert client.get(autosave_url(draft)).status_code == 405
    published = make_article(topic=topic, created_by=writer)
    assert autosave_post(client, published).status_code == 403
    assert not Autosave.objects.exists()


def test_reopening_offers_the_autosave_and_restore_fills_the_form(draft, writer):
    client = client_for(writer)
    autosave_post(client, draft, title="崩溃前的标题", standfirst="崩溃前的导语")
    page = client.get(change_url(draft)).content.decode()
    assert 'id="autosave-offer"' in page and "?autosave=restore" in page
    assert "崩溃前的导语" not in page  # offered, not forced
    page = client.get(change_url(draft) + "?autosave=restore").content.decode()
    assert "崩溃前的导语" in page and 'value="崩溃前的标题"' in page
    # Saving the restored text keeps it and empties the slot.
    response = client.post(
        change_url(draft), form_data(draft, title="崩溃前的标题", standfirst="崩溃前的导语")
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.standfirst == "崩溃前的导语"
    assert not Autosave.objects.exists()


def test_discard_empties_the_slot(draft, writer):
    client = client_for(writer)
    autosave_post(client, draft, title="不要了")
    url = reverse("admin:articles_article_discard_autosave", args=[draft.pk])
    assert client.post(url).status_code == 302
    assert not Autosave.objects.exists()
    assert 'id="autosave-offer"' not in client.get(change_url(draft)).content.decode()


def test_a_restored_autosave_over_an_old_version_is_refused_on_save(draft, writer):
    client = client_for(writer)
    autosave_post(client, draft, standfirst="旧版本上的草稿")
    opened = draft.version
    draft.title = "后来有人保存"
    workflow.save_article(draft, by=make_user("editor"), base_version=opened)
    page = client.get(change_url(draft) + "?autosave=restore").content.decode()
    assert re.search(rf'name="base_version" value="{opened}"', page)
    response = client.post(
        change_url(draft), form_data(draft, standfirst="旧版本上的草稿", base_version=opened)
    )
    assert response.status_code == 200
    assert "旧版本上的草稿" in response.content.decode()
    assert Article.objects.get(pk=draft.pk).standfirst == "旧导语"
