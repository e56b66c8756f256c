"""
Near-duplicates (wire/duplicates.py): precision and recall on the evaluation
set, clustering at import and save, skipping with a receipt, and the desk's
"also received from".
"""

import io

import pytest

from articles import workflow
from articles.ingest.importer import import_documents
from articles.ingest.sources import StreamDocument
from articles.models import Article
from tests.factories import ensure_roles, make_source, make_topic, make_user
from tests.near_duplicate_set import build_set, evaluate
from wire.duplicates import ImportScreen
from wire.models import ClusterReceipt, Fingerprint


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read the desk's English texts (the site's default language is Chinese)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def test_detector_precision_and_recall_on_the_evaluation_set():
    result = evaluate()
    assert result["pairs"] == 72 * 71 // 2 and result["tp"] + result["fn"] == 12 * 15
    assert result["precision"] >= 0.95, result["false_alarms"][:5]
    assert result["recall"] >= 0.95, result["misses"][:5]


def jsonl(docs, source):
    import json

    lines = [
        json.dumps(
            {
                "title": doc.title,
                "standfirst": doc.standfirst,
                "body": doc.body,
                "topic": "要闻",
                "source": source,
                "source_url": f"https://{source}.example.com/{doc.story}/{doc.version}",
                "status": "draft",
            },
            ensure_ascii=False,
        )
        for doc in docs
    ]
    return StreamDocument(f"{source}.jsonl", io.BytesIO("\n".join(lines).encode()))


@pytest.fixture
def versions(db):
    make_topic("要闻")
    for name in ("新华社", "人民网", "中新社"):
        make_source(name)
    docs = build_set()
    return {(d.story, d.version): d for d in docs}


@pytest.mark.django_db
def test_the_same_story_from_three_sources_is_one_cluster(
    versions, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        import_documents(
            [jsonl([versions["ai-1", "original"], versions["ev-1", "original"]], "新华社")]
        )
    with django_capture_on_commit_callbacks(execute=True):
        import_documents([jsonl([versions["ai-1", "glossed"]], "人民网")])
    with django_capture_on_commit_callbacks(execute=True):
        import_documents(
            [jsonl([versions["ai-1", "combined"], versions["ai-2", "original"]], "中新社")]
        )
    ai1 = Article.objects.filter(source_url__contains="/ai-1/").order_by("pk")
    assert ai1.count() == 3  # "link": all imported
    clusters = {a.fingerprint.cluster_id for a in ai1}
    assert len(clusters) == 1 and None not in clusters
    others = Fingerprint.objects.exclude(article__in=ai1)
    assert others.count() == 2 and all(f.cluster_id is None for f in others)


@pytest.mark.django_db
def test_skip_policy_keeps_the_receipt_and_the_desk_shows_it(
    versions, client, django_capture_on_commit_callbacks
):
    ensure_roles()
    with django_capture_on_commit_callbacks(execute=True):
        import_documents([jsonl([versions["ag-3", "original"]], "新华社")])
    with django_capture_on_commit_callbacks(execute=True):
        summary = import_documents(
            [jsonl([versions["ag-3", "trimmed"], versions["ag-4", "original"]], "人民网")],
            screen=ImportScreen("skip"),
        )
    assert (summary.created, summary.skipped) == (1, 1)
    assert "near-duplicate of" in str(summary.notices[0])
    kept = Article.objects.get(source_url__contains="/ag-3/")
    receipt = ClusterReceipt.objects.get()
    assert receipt.source.name == "人民网" and receipt.cluster_id == kept.fingerprint.cluster_id
    client.force_login(make_user("editor", "bianji"))
    page = client.get(f"/admin/articles/article/{kept.pk}/change/").content.decode()
    assert (
        "Also received from" in page and "人民网" in page and "skipped as a near-duplicate" in page
    )


@pytest.mark.django_db
def test_an_article_written_in_the_desk_joins_the_cluster_of_its_story(
    versions, client, django_capture_on_commit_callbacks
):
    ensure_roles()
    with django_capture_on_commit_callbacks(execute=True):
        import_documents([jsonl([versions["ev-3", "original"]], "新华社")])
    editor = make_user("editor", "bianji")
    doc = versions["ev-3", "edited"]
    article = Article(
        title=doc.title, standfirst=doc.standfirst, body=doc.body, topic=make_topic("汽车")
    )
    with django_capture_on_commit_callbacks(execute=True):
        workflow.save_article(article, by=editor)
    imported = Article.objects.get(source_url__contains="/ev-3/")
    assert article.fingerprint.cluster_id == imported.fingerprint.cluster_id is not None
    client.force_login(editor)
    page = client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert "Also received from" in page and "新华社" in page and imported.title in page
