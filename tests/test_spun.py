"""
Spun copy (spun/): the detector on the seed and on real text that merely
uses the same words, the dictionary as data, the verdict kept in step, the
desk's filter and panel, the confirmed restore (workflow function and admin
page) and the import summary.
"""

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from reversion.models import Version

from articles import workflow
from articles.changes import articles_changed
from articles.ingest.importer import import_documents
from articles.ingest.sources import FileDocument
from articles.models import Article, ArticleEvent, Source
from articles.reprint import parse_reprint
from spun.detector import DictionaryError, detect, read_dictionary, restore
from spun.models import SpunCheck
from tests.factories import make_article, make_topic, make_user

SEED = Path(__file__).parent / "data" / "seed_renmin_ribao.txt"
S = Article.Status

SPUN_TEXT = (
    "野生智能本领建设国际合作之友小组将依托联合国这个当今最具权势巨子性的政府间国际构造，"
    "充分发挥桥梁纽带感化。"
)
# The same words in their real senses: nothing here is spun.
REAL_TEXT = (
    "这种材料的分子构造十分复杂。监狱开展感化教育，帮助服刑人员回归社会。"
    "练就过硬本领。祝大家平安回家。两国地位同等。现实生活中，人们常常等候公交车。"
)


@pytest.fixture
def seed():
    return parse_reprint(SEED.read_text(encoding="utf-8"))


def pairs(report):
    return {(p.spun, p.original): p.count for p in report.phrases}


# The detector ------------------------------------------------------------------------


def test_the_seed_is_suspected_with_each_phrase_and_its_original(seed):
    report = detect(seed.title, seed.standfirst, "\n".join(seed.paragraphs))
    assert report.suspected
    found = pairs(report)
    assert found[("野生智能", "人工智能")] >= 30
    assert found[("权势巨子性", "权威性")] == 2
    assert found[("构造", "组织")] == 2
    assert found[("感化", "作用")] == 3
    assert found[("本领", "能力")] >= 10
    example = next(p.example for p in report.phrases if p.spun == "构造")
    assert "国际构造" in example
    assert "野生智能→人工智能 ×" in report.summary()


def test_real_words_in_their_real_sense_are_not_flagged():
    report = detect(REAL_TEXT)
    assert not report.suspected
    assert report.phrases == []


def test_one_stray_swap_is_not_enough():
    assert not detect("有人把人工智能戏称为野生智能。").suspected


def test_restore_replaces_only_in_context():
    text = SPUN_TEXT + REAL_TEXT
    restored, done = restore(text, [("构造", "组织"), ("感化", "作用"), ("本领", "能力")])
    assert "政府间国际组织" in restored and "桥梁纽带作用" in restored
    assert "野生智能能力建设" in restored  # a pair not chosen stays
    assert "分子构造" in restored and "感化教育" in restored and "过硬本领" in restored
    assert done == {("构造", "组织"): 1, ("感化", "作用"): 1, ("本领", "能力"): 1}


def test_the_dictionary_is_data_and_bad_entries_are_named(tmp_path):
    swaps = read_dictionary()
    assert ("野生智能", "人工智能") in {(s.spun, s.original) for s in swaps}
    path = tmp_path / "bad.csv"
    path.write_text("spun,original,kind,context\n构造,组织,word,(国际~\n", encoding="utf-8")
    with pytest.raises(DictionaryError, match="构造"):
        read_dictionary(path)
    path.write_text("spun,original,kind,context\n构造,组织,guess,\n", encoding="utf-8")
    with pytest.raises(DictionaryError, match="entry 2"):
        read_dictionary(path)


# The verdict in the database ----------------------------------------------------------


@pytest.mark.django_db
def test_the_verdict_follows_saves_and_bulk_writes():
    article = make_article(standfirst=SPUN_TEXT)
    check = SpunCheck.objects.get(article=article)
    assert {p["spun"] for p in check.phrases} >= {"野生智能", "权势巨子性", "构造"}
    article.standfirst = REAL_TEXT
    article.save()
    assert not SpunCheck.objects.filter(article=article).exists()
    Article.objects.filter(pk=article.pk).update(body=f"<p>{SPUN_TEXT}</p>")
    articles_changed.send(sender=Article, ids=[article.pk])
    assert SpunCheck.objects.filter(article=article).exists()


# The workflow function ---------------------------------------------------------------


@pytest.mark.django_db
def test_restore_spun_originals_keeps_a_revision_and_an_event():
    editor = make_user("editor")
    article = make_article(status=S.DRAFT, standfirst=SPUN_TEXT)
    target, counts = workflow.restore_spun_originals(
        article, by=editor, phrases=[("野生智能", "人工智能"), ("构造", "组织")]
    )
    target.refresh_from_db()
    assert target.pk == article.pk
    assert "人工智能本领建设" in target.standfirst and "国际组织" in target.standfirst
    assert counts[("野生智能", "人工智能")] == 1
    event = target.events.first()
    assert event.action == ArticleEvent.Action.EDIT and "野生智能→人工智能" in event.note
    versions = Version.objects.get_for_object(target)
    # The spun text was kept as a revision before the change.
    assert [v.field_dict["standfirst"] for v in versions][-1] == SPUN_TEXT


@pytest.mark.django_db
def test_restore_on_a_published_article_goes_through_a_working_copy():
    editor = make_user("editor")
    article = make_article(standfirst=SPUN_TEXT)
    target, _ = workflow.restore_spun_originals(
        article, by=editor, phrases=[("野生智能", "人工智能")]
    )
    article.refresh_from_db()
    assert target.working_copy_of_id == article.pk
    assert article.standfirst == SPUN_TEXT  # readers keep the published text until review
    assert "人工智能" in target.standfirst


@pytest.mark.django_db
def test_restore_checks_permission_and_input():
    writer, author = make_user("writer"), make_user("writer", name="author")
    article = make_article(status=S.DRAFT, standfirst=SPUN_TEXT, created_by=author)
    with pytest.raises(PermissionDenied):
        workflow.restore_spun_originals(article, by=writer, phrases=[("野生智能", "人工智能")])
    with pytest.raises(ValidationError):
        workflow.restore_spun_originals(article, by=author, phrases=[])
    with pytest.raises(ValidationError):
        workflow.restore_spun_originals(article, by=author, phrases=[("年夜数据", "大数据")])
    article.refresh_from_db()
    assert article.standfirst == SPUN_TEXT
    assert not article.events.exists()


# The desk ---------------------------------------------------------------------------


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_desk_filters_flags_and_restores_after_confirmation():
    editor = make_user("editor")
    spun = make_article(status=S.DRAFT, title="新闻一", standfirst=SPUN_TEXT)
    clean = make_article(status=S.DRAFT, title="新闻二", standfirst=REAL_TEXT)
    client = client_for(editor)
    changelist = client.get(reverse("admin:articles_article_changelist"), {"spun": "suspected"})
    html = changelist.content.decode()
    assert spun.title in html and clean.title not in html

    change = client.get(reverse("admin:articles_article_change", args=[spun.pk])).content.decode()
    assert 'id="spun"' in change and "野生智能</strong> → 人工智能" in change
    clean_change = client.get(reverse("admin:articles_article_change", args=[clean.pk]))
    assert 'id="spun"' not in clean_change.content.decode()

    url = reverse("admin:articles_article_spun", args=[spun.pk])
    confirm = client.get(url).content.decode()
    # Listed for confirmation: swaps ticked, nothing done yet.
    assert 'value="野生智能\t人工智能" checked' in confirm
    spun.refresh_from_db()
    assert spun.standfirst == SPUN_TEXT

    response = client.post(url, {"phrase": ["野生智能\t人工智能", "构造\t组织"]})
    assert response.status_code == 302
    spun.refresh_from_db()
    assert spun.standfirst.startswith("人工智能本领建设") and "国际组织" in spun.standfirst


@pytest.mark.django_db
def test_the_restore_page_refuses_strangers_and_odd_input():
    writer, editor = make_user("writer"), make_user("editor")
    article = make_article(status=S.REVIEW, standfirst=SPUN_TEXT)
    url = reverse("admin:articles_article_spun", args=[article.pk])
    assert client_for(writer).post(url, {"phrase": ["野生智能\t人工智能"]}).status_code == 403
    assert client_for(editor).post(url, {"phrase": ["野生智能\t天然智能"]}).status_code == 400
    response = client_for(editor).post(url, {})
    assert response.status_code == 302  # back to the page, with the message
    article.refresh_from_db()
    assert article.standfirst == SPUN_TEXT
    assert (
        client_for(editor).get(reverse("admin:articles_article_spun", args=[999999])).status_code
        == 404
    )


# Import -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_import_summary_names_glosses_and_spun_phrases(django_capture_on_commit_callbacks):
    # The verdict is stored once the import commits (articles_changed).
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        summary = import_documents([FileDocument(SEED)])
    assert summary.created == 1
    text = "\n".join(summary.lines())
    assert "178 pinyin glosses removed" in text
    assert "suspected spun copy" in text and "野生智能→人工智能 ×" in text
    article = Article.objects.get()
    assert article.original_text == SEED.read_text(encoding="utf-8")
    assert SpunCheck.objects.filter(article=article).exists()


@pytest.mark.django_db
def test_check_spun_copy_scores_articles_again():
    from io import StringIO

    from django.core.management import call_command

    article = make_article(standfirst=SPUN_TEXT)
    SpunCheck.objects.all().delete()  # as if the dictionary had just learnt these swaps
    out = StringIO()
    call_command("check_spun_copy", stdout=out)
    assert "1 suspected spun copy" in out.getvalue()
    assert SpunCheck.objects.filter(article=article).exists()


@pytest.mark.django_db
def test_the_import_page_lists_the_notes_and_the_article_keeps_the_page_as_received(
    django_capture_on_commit_callbacks,
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    editor = make_user("editor")
    # Editors import into the topics and sources that exist.
    make_topic("业界新闻")
    Source.objects.create(name="人民日报")
    client = client_for(editor)
    upload = SimpleUploadedFile("seed.txt", SEED.read_bytes(), content_type="text/plain")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:articles_article_import"), {"file": upload})
    html = response.content.decode()
    assert "import-notices" in html
    assert "178" in html and "野生智能→人工智能" in html
    article = Article.objects.get()
    change = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    page = change.content.decode()
    assert 'id="original-text"' in page and "世(shi)界" in page
