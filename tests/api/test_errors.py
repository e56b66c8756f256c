"""Bad input answers 400 (or 404) with a JSON error body, never a 500."""

import base64
import json

import pytest

from tests.factories import make_article

pytestmark = pytest.mark.django_db


def cursor(value):
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


BAD_LIST_REQUESTS = {
    # name: (query string, error code, parameter at fault)
    "unknown filter": ("colour=red", "unknown_parameter", "colour"),
    "misspelled filter": ("topics=ye-jie-xin-wen", "unknown_parameter", "topics"),
    "api key as a parameter": ("api_key=abc", "unknown_parameter", "api_key"),
    "repeated filter": ("topic=a&topic=b", "bad_request", "topic"),
    "null character": ("q=%00", "bad_request", "q"),
    "query too long": ("q=" + "税" * 101, "bad_request", "q"),
    "page size over the maximum": ("page_size=101", "bad_request", "page_size"),
    "page size zero": ("page_size=0", "bad_request", "page_size"),
    "page size not a number": ("page_size=lots", "bad_request", "page_size"),
    "since not a date": ("since=yesterday", "bad_request", "since"),
    "since impossible date": ("since=2024-13-45", "bad_request", "since"),
    "since impossible time": ("since=2024-12-05T25:00:00", "bad_request", "since"),
    "since year 1": ("since=0001-01-01", "bad_request", "since"),
    "since five-digit year": ("since=99999-01-01", "bad_request", "since"),
    "until before since": ("since=2024-12-05&until=2024-12-01", "bad_request", "until"),
    "until garbage": ("until=%E6%98%8E%E5%A4%A9", "bad_request", "until"),
    "cursor not base64": ("cursor=***", "invalid_cursor", "cursor"),
    "cursor not json": (
        "cursor=" + base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        "invalid_cursor",
        "cursor",
    ),
    "cursor wrong shape": ("cursor=" + cursor({"p": 1}), "invalid_cursor", "cursor"),
    "cursor wrong length": (
        "cursor=" + cursor(["2024-12-05T00:00:00+00:00"]),
        "invalid_cursor",
        "cursor",
    ),
    "cursor naive time": (
        "cursor=" + cursor(["2024-12-05T00:00:00", 5]),
        "invalid_cursor",
        "cursor",
    ),
    "cursor bad time": ("cursor=" + cursor(["not a time", 5]), "invalid_cursor", "cursor"),
    "cursor time at the end of the calendar": (
        "cursor=" + cursor(["9999-12-31T23:59:59-12:00", 5]),
        "invalid_cursor",
        "cursor",
    ),
    "cursor id too big": (
        "cursor=" + cursor(["2024-12-05T00:00:00+00:00", 2**70]),
        "invalid_cursor",
        "cursor",
    ),
    "cursor id a string": (
        "cursor=" + cursor(["2024-12-05T00:00:00+00:00", "x"]),
        "invalid_cursor",
        "cursor",
    ),
    "cursor id a boolean": (
        "cursor=" + cursor(["2024-12-05T00:00:00+00:00", True]),
        "invalid_cursor",
        "cursor",
    ),
    "cursor id null": (
        "cursor=" + cursor(["2024-12-05T00:00:00+00:00", None]),
        "invalid_cursor",
        "cursor",
    ),
    "cursor too long": ("cursor=" + "A" * 500, "bad_request", "cursor"),
}


@pytest.mark.parametrize("name", BAD_LIST_REQUESTS)
def test_bad_list_input_answers_400_with_a_json_error(topic, anon, name):
    make_article(topic=topic)
    query, code, param = BAD_LIST_REQUESTS[name]
    response = anon.get(f"/api/v1/articles?{query}")
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/json")
    assert "no-store" in response["Cache-Control"]
    data = response.json()
    assert data["error"] == code
    assert data["message"]
    assert [e["param"] for e in data["errors"]] == [param]


@pytest.mark.parametrize(
    "query",
    ["page_size=1.5", "cursor=", "since=", "q=", "topic=" + "x" * 201, "tag=%E2%80%8B"],
)
def test_odd_but_harmless_input_never_fails_with_500(topic, anon, query):
    make_article(topic=topic)
    response = anon.get(f"/api/v1/articles?{query}")
    assert response.status_code in (200, 400)
    response.json()


def test_tags_refuse_bad_input(anon, db):
    assert anon.get("/api/v1/tags?page_size=501").status_code == 400
    assert anon.get("/api/v1/tags?cursor=" + cursor([5])).json()["error"] == "invalid_cursor"
    assert anon.get("/api/v1/tags?topic=x").json()["error"] == "unknown_parameter"
    assert anon.get("/api/v1/topics?page_size=5").json()["error"] == "unknown_parameter"


@pytest.mark.parametrize(
    "ident",
    [
        "does-not-exist",
        "00000000-0000-0000-0000-000000000000",
        "x" * 300,
        "%00",
        "%E4%B8%AD%E6%96%87",
    ],
)
def test_unknown_article_answers_404_json(anon, db, ident):
    response = anon.get(f"/api/v1/articles/{ident}")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_unknown_endpoint_answers_404_json(anon, db):
    for url in ["/api/v1/nothing", "/api/v2/articles", "/api/"]:
        response = anon.get(url)
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"


def test_error_messages_are_translated(topic, anon):
    response = anon.get("/api/v1/articles?colour=red", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.json()["message"] == "未知参数 colour。"
    assert "Accept-Language" in response["Vary"]
