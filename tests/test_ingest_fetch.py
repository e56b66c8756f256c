"""
Fetching feeds by URL (articles/ingest/fetch.py): internal addresses are
refused before and after redirects, with a timeout and a size limit.

No test sends traffic anywhere but loopback: DNS is replaced by a table, and
the one "public" address (93.184.216.34) is wired to a local test server.
"""

import io
import ipaddress
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from articles.ingest import fetch
from articles.models import Article

DATA = Path(__file__).parent / "data"
FEED = (DATA / "feed_50.xml").read_bytes()
PUBLIC = "93.184.216.34"  # stands for an internet host; connections go to the test server
DNS = {
    "wire.example.com": [PUBLIC],
    "mirror.example.com": [PUBLIC],
    "localhost": ["127.0.0.1", "::1"],
    "intranet.example.com": ["10.0.0.8"],
    "metadata.example.com": ["169.254.169.254"],
    "v6loop.example.com": ["::1"],
    "mixed.example.com": [PUBLIC, "192.168.1.10"],
    "mapped.example.com": ["::ffff:127.0.0.1"],
}


class Server:
    """A loopback HTTP server answering from `routes`: path -> (status, headers, body, delay)."""

    def __init__(self):
        self.routes = {}
        self.hits = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.hits.append((self.headers.get("Host"), self.path))
                status, headers, body, delay = server.routes.get(
                    self.path, (404, {}, b"not found", 0)
                )
                if delay:
                    time.sleep(delay)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        class QuietServer(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # clients that give up early (timeouts, size limits) break the pipe

        self.httpd = QuietServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(monkeypatch):
    server = Server()

    def fake_getaddrinfo(host, port, *args, **kwargs):
        try:
            addresses = [str(ipaddress.ip_address(host))]  # a literal address is itself
        except ValueError:
            addresses = DNS.get(host)
        if not addresses:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (
                socket.AF_INET6 if ":" in address else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (address, port),
            )
            for address in addresses
        ]

    real_connect = fetch._connect

    def connect(address, port, timeout):
        if address == PUBLIC:
            return real_connect("127.0.0.1", server.port, timeout)
        # Only the test server is ever reached; anything else is a test bug.
        assert ipaddress.ip_address(address).is_loopback, address
        return real_connect(address, port, timeout)

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    monkeypatch.setattr(fetch, "_connect", connect)
    yield server
    server.close()


def feed_route(body=FEED, status=200, **headers):
    return (status, {"Content-Type": "application/rss+xml; charset=utf-8", **headers}, body, 0)


def run_import(*sources, **options):
    out = io.StringIO()
    try:
        call_command("import_articles", *sources, stdout=out, stderr=io.StringIO(), **options)
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


@pytest.mark.django_db
def test_feed_url_on_loopback_is_refused_without_a_request(server):
    server.routes["/feed.xml"] = feed_route()
    out, error = run_import(f"http://127.0.0.1:{server.port}/feed.xml")
    assert error is not None
    assert "refused: 127.0.0.1 is a loopback address" in out
    assert server.hits == []
    assert Article.objects.count() == 0


@pytest.mark.parametrize(
    "url, kind",
    [
        ("http://127.0.0.1/feed", "loopback"),
        ("http://[::1]/feed", "loopback"),
        ("http://10.1.2.3/feed", "private"),
        ("http://172.16.0.1/feed", "private"),
        ("http://192.168.0.1/feed", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[fe80::1]/feed", "link-local"),
        ("http://0.0.0.0/feed", "unspecified"),
        ("http://100.64.0.1/feed", "non-public"),  # carrier-grade NAT
        ("http://224.0.0.1/feed", "multicast"),
        ("http://240.0.0.1/feed", "reserved"),
        ("http://[::ffff:127.0.0.1]/feed", "loopback"),
        ("http://[fd00::1]/feed", "private"),
        ("http://localhost/feed", "loopback"),
        ("http://intranet.example.com/feed", "private"),
        ("http://metadata.example.com/feed", "link-local"),
        ("http://v6loop.example.com/feed", "loopback"),
        ("http://mapped.example.com/feed", "loopback"),
        ("http://mixed.example.com/feed", "private"),  # every address must be public
    ],
)
def test_internal_addresses_are_refused(server, url, kind):
    with pytest.raises(fetch.AddressRefused, match=f"is a {kind} address"):
        fetch.fetch(url)
    assert server.hits == []


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://wire.example.com/feed", "gopher://x/", "http:///feed"]
)
def test_only_http_and_https_urls_are_fetched(server, url):
    with pytest.raises(fetch.FetchError):
        fetch.fetch(url)


def test_unknown_host_is_an_error(server):
    with pytest.raises(fetch.FetchError, match="cannot resolve nowhere.example.com"):
        fetch.fetch("http://nowhere.example.com/feed")


@pytest.mark.django_db
def test_redirect_to_loopback_is_refused(server):
    server.routes["/feed.xml"] = (302, {"Location": f"http://127.0.0.1:{server.port}/x"}, b"", 0)
    server.routes["/x"] = feed_route()
    out, error = run_import("http://wire.example.com/feed.xml")
    assert error is not None
    assert "refused: 127.0.0.1 is a loopback address" in out
    assert server.hits == [("wire.example.com", "/feed.xml")]  # the redirect target never
    assert Article.objects.count() == 0


@pytest.mark.parametrize(
    "location, kind",
    [
        ("http://intranet.example.com/feed", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[::1]/feed", "loopback"),
        ("http://localhost:8000/admin/", "loopback"),
    ],
)
def test_redirects_to_internal_addresses_are_refused(server, location, kind):
    server.routes["/feed.xml"] = (301, {"Location": location}, b"", 0)
    with pytest.raises(fetch.AddressRefused, match=f"is a {kind} address"):
        fetch.fetch("http://wire.example.com/feed.xml")
    assert len(server.hits) == 1


def test_redirect_to_another_scheme_is_refused(server):
    server.routes["/feed.xml"] = (302, {"Location": "file:///etc/passwd"}, b"", 0)
    with pytest.raises(fetch.FetchError, match="only http and https"):
        fetch.fetch("http://wire.example.com/feed.xml")


def test_redirect_loops_stop(server):
    server.routes["/a"] = (302, {"Location": "/b"}, b"", 0)
    server.routes["/b"] = (302, {"Location": "/a"}, b"", 0)
    with pytest.raises(fetch.FetchError, match="too many redirects"):
        fetch.fetch("http://wire.example.com/a")


@pytest.mark.django_db
def test_public_feed_url_is_fetched_through_redirects_and_imported(server):
    server.routes["/old.xml"] = (301, {"Location": "http://mirror.example.com/feed.xml"}, b"", 0)
    server.routes["/feed.xml"] = feed_route()
    out, error = run_import("http://wire.example.com/old.xml")
    assert error is None, out
    assert "50 created" in out
    assert server.hits == [("wire.example.com", "/old.xml"), ("mirror.example.com", "/feed.xml")]
    assert Article.objects.filter(status=Article.Status.DRAFT).count() == 50
    # The items' own links, not the feed's URL, are their source URLs.
    assert (
        Article.objects.filter(source_url__startswith="https://wire.example.com/news/").count()
        == 50
    )


def test_size_limit(server):
    server.routes["/big.xml"] = feed_route(body=b"<rss>" + b" " * 5000 + b"</rss>")
    with pytest.raises(fetch.FetchError, match="larger than the limit of 1,000 bytes"):
        fetch.fetch("http://wire.example.com/big.xml", max_bytes=1000)


def test_size_limit_without_content_length(server, monkeypatch):
    server.routes["/big.xml"] = feed_route(body=b"x" * 5000)
    # A response that does not announce its length is cut off while reading.
    real_get = fetch._get

    def get_without_length(*args):
        response = real_get(*args)
        del response.headers["Content-Length"]
        response.length = None
        return response

    monkeypatch.setattr(fetch, "_get", get_without_length)
    with pytest.raises(fetch.FetchError, match="larger than the limit"):
        fetch.fetch("http://wire.example.com/big.xml", max_bytes=1000, timeout=5)


def test_timeout(server):
    server.routes["/slow.xml"] = (200, {}, FEED, 2)
    started = time.monotonic()
    with pytest.raises(fetch.FetchError, match="timed out"):
        fetch.fetch("http://wire.example.com/slow.xml", timeout=0.3)
    assert time.monotonic() - started < 1.5


def test_http_errors_are_reported(server):
    with pytest.raises(fetch.FetchError, match="answered HTTP 404"):
        fetch.fetch("http://wire.example.com/missing.xml")


def test_response_charset_and_type_are_passed_on(server):
    server.routes["/gbk.xml"] = (
        200,
        {"Content-Type": "application/rss+xml; charset=GBK"},
        (DATA / "feed_gbk.xml").read_bytes(),
        0,
    )
    response = fetch.fetch("http://wire.example.com/gbk.xml")
    assert response.content_type == "application/rss+xml"
    assert response.charset == "gbk"
    assert response.url == "http://wire.example.com/gbk.xml"
