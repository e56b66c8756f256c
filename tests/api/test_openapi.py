"""The OpenAPI document validates, and the docs page needs nothing from outside."""

import re

import pytest
from django.contrib.staticfiles import finders
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


def test_openapi_schema_validates(anon):
    response = anon.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert schema["openapi"].startswith("3.1")
    assert set(schema["paths"]) == {
        "/api/v1/articles",
        "/api/v1/articles/{ident}",
        "/api/v1/topics",
        "/api/v1/tags",
    }


def test_openapi_documents_the_optional_key_and_the_errors(anon):
    schema = anon.get("/api/v1/openapi.json").json()
    assert schema["components"]["securitySchemes"]["PartnerKeyAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
    }
    listing = schema["paths"]["/api/v1/articles"]["get"]
    # A key or none at all ({}: anonymous).
    assert listing["security"] == [{"PartnerKeyAuth": []}, {}]
    assert {"200", "400", "401", "429"} <= set(listing["responses"])
    params = {p["name"] for p in listing["parameters"]}
    assert params == {"topic", "tag", "source", "since", "until", "q", "cursor", "page_size"}
    page_size = next(p for p in listing["parameters"] if p["name"] == "page_size")
    assert page_size["schema"]["maximum"] == 100


def test_docs_page_loads_only_local_assets(anon):
    response = anon.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), asset
    # No inline script to execute (a strict CSP allows none): the only inline
    # <script> holds JSON settings, read by ninja's swagger-ui-init.js.
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page)
    assert inline == [' type="application/json" id="swagger-settings"']
    assert "/api/v1/openapi.json" in page
