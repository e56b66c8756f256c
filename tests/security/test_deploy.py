"""
Security checklist: where login sends people, and the proxy trust gunicorn and
Django share (issue 9, item 8).
"""

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from gunicorn.config import Config
from gunicorn.http.message import Request
from gunicorn.http.unreader import IterUnreader

from tests.factories import make_user

GUNICORN_CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/admin/", "javascript:alert(1)", ""],
)
def test_a_refused_next_sends_staff_to_the_desk(next_url):
    make_user("editor")
    response = Client().post(
        "/admin/login/?next=" + next_url,
        {"username": "editor", "password": "pw", "next": next_url},
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


@pytest.mark.django_db
def test_a_next_on_this_site_is_followed():
    make_user("editor")
    target = "/admin/articles/article/"
    response = Client().post(
        "/admin/login/", {"username": "editor", "password": "pw", "next": target}
    )
    assert response["Location"] == target


def gunicorn_scheme(environment, *, peer="127.0.0.1", proto="https"):
    """The scheme gunicorn gives a request from peer carrying X-Forwarded-Proto."""
    saved = dict(os.environ)
    os.environ.update(environment)
    try:
        conf = runpy.run_path(str(GUNICORN_CONF))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    cfg = Config()
    for name in ("forwarded_allow_ips", "secure_scheme_headers"):
        if name in conf:
            cfg.set(name, conf[name])
    raw = f"GET / HTTP/1.1\r\nHost: news.example.com\r\nX-Forwarded-Proto: {proto}\r\n\r\n"
    return Request(cfg, IterUnreader([raw.encode()]), (peer, 40000), 1).scheme


def test_gunicorn_ignores_forwarded_proto_when_the_proxy_setting_is_off():
    assert gunicorn_scheme({"SECURE_PROXY_SSL_HEADER": ""}) == "http"
    assert gunicorn_scheme({"SECURE_PROXY_SSL_HEADER": "0"}) == "http"


def test_gunicorn_trusts_forwarded_proto_from_the_proxy_only_when_the_setting_is_on():
    on = {"SECURE_PROXY_SSL_HEADER": "1"}
    assert gunicorn_scheme(on) == "https"
    assert gunicorn_scheme(on, proto="http") == "http"
    # From an address that is not the proxy: ignored.
    assert gunicorn_scheme(on, peer="203.0.113.5") == "http"
    assert gunicorn_scheme({**on, "FORWARDED_ALLOW_IPS": "10.0.0.2"}, peer="10.0.0.2") == "https"


def django_proxy_header(value):
    code = (
        "from newsroom import settings; print(getattr(settings, 'SECURE_PROXY_SSL_HEADER', None))"
    )
    environment = {
        key: val
        for key, val in os.environ.items()
        if key not in ("DEBUG", "DJANGO_SETTINGS_MODULE")
    }
    environment.update({"SECRET_KEY": "x", "SECURE_PROXY_SSL_HEADER": value})
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=environment,
        cwd=GUNICORN_CONF.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


@pytest.mark.parametrize("value", ["", "0", "1", "on"])
def test_django_and_gunicorn_read_the_same_switch(value):
    django_trusts = django_proxy_header(value) == "('HTTP_X_FORWARDED_PROTO', 'https')"
    gunicorn_trusts = gunicorn_scheme({"SECURE_PROXY_SSL_HEADER": value}) == "https"
    assert django_trusts == gunicorn_trusts == (value in ("1", "on"))
