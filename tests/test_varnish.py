"""
Varnish in front (deploy/varnish/default.vcl): a real varnishd on a local
port, in front of the test server, caching by the app's keys and purged by
the app's writes. Skipped where varnishd is missing, failing under CI.

Also the app's side alone (articles/varnish.py): purges sent after commit,
through the job queue when there is one, and a Varnish that is down never
breaks a save.
"""

import contextlib
import http.client
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.core.signals import request_started
from django.test import Client

from articles import varnish, workflow
from articles.cache import purge
from articles.models import Article
from jobs.models import Job
from tests.factories import ensure_roles, make_article, make_topic
from tests.http_servers import RecordingServer

S = Article.Status
VCL = Path(__file__).resolve().parent.parent / "deploy" / "varnish" / "default.vcl"
VARNISHD = shutil.which("varnishd") or (
    "/usr/sbin/varnishd" if os.path.exists("/usr/sbin/varnishd") else None
)
# This suite's ports for varnishd (127.0.0.1 only).
PORTS = range(18500, 18600)


def free_port():
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 18500-18599")


@pytest.fixture(scope="module")
def varnishd(live_server):
    """A varnishd running deploy/varnish/default.vcl in front of the live server."""
    if VARNISHD is None:
        if os.environ.get("CI"):
            pytest.fail("varnishd is missing (apt-get install varnish varnish-modules)")
        pytest.skip("varnishd is missing (apt-get install varnish varnish-modules)")
    backend_port = live_server.url.rsplit(":", 1)[1]
    workdir = tempfile.mkdtemp(prefix="newsroom-varnish-")
    os.chmod(workdir, 0o755)
    vcl = Path(workdir) / "default.vcl"
    vcl.write_text(VCL.read_text().replace('.port = "8000";', f'.port = "{backend_port}";'))
    os.chmod(vcl, 0o644)
    port = free_port()
    process = subprocess.Popen(
        [VARNISHD, "-F", "-n", workdir, "-a", f"127.0.0.1:{port}", "-f", str(vcl)]
        + ["-s", "malloc,64m", "-T", "none", "-p", "workspace_backend=256k"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"varnishd did not start: {process.stdout.read().decode()}")
            time.sleep(0.1)
    yield url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def through_varnish(varnishd, settings, transactional_db):
    """The page cache on, purges sent to the varnishd; Varnish and the cache empty."""
    settings.PAGE_CACHE = True
    settings.PAGE_CACHE_SECONDS = 600
    settings.VARNISH_PURGE_URLS = [varnishd]
    settings.JOBS_BROKER_URL = ""
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
    cache.clear()
    # Every page depends on `site`: this empties Varnish of earlier tests' pages.
    assert varnish.purge_varnish(varnishd, ["site"])
    yield varnishd
    cache.clear()


@pytest.fixture
def app_requests():
    """How many requests reached the app."""
    seen = []

    def count(**kwargs):
        seen.append(1)

    request_started.connect(count, dispatch_uid="varnish-test-count")
    yield seen
    request_started.disconnect(dispatch_uid="varnish-test-count")


def fetch(base, path, headers=None):
    request = urllib.request.Request(base + path, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.fixture
def editor(transactional_db):
    ensure_roles()  # a transactional test flushes the groups the migrations made
    user = User.objects.create_user("editor", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="编辑 Editor"))
    return user


def test_a_hit_is_served_by_varnish_without_the_app(through_varnish, app_requests):
    make_article(title="缓存在前")
    status, first, body = fetch(through_varnish, "/")
    assert status == 200 and "缓存在前" in body and first["X-Cache"] == "MISS"
    calls = len(app_requests)
    status, second, again = fetch(through_varnish, "/?utm_source=weibo&fbclid=x")
    assert status == 200 and again == body
    assert second["X-Cache"] == "HIT"
    assert len(second["X-Varnish"].split()) == 2  # this request's id and the stored object's
    assert "xkey" not in second and "X-Cache-TTL" not in second
    assert len(app_requests) == calls  # the app was not called


def test_publishing_purges_the_home_page_and_not_an_unrelated_article(
    through_varnish, app_requests, editor
):
    topic = make_topic("芯片")
    old = make_article(topic=topic, title="旧闻", age=timedelta(days=30))
    make_article(topic=topic, title="较新", age=timedelta(days=20))
    latest = make_article(topic=topic, title="最新")
    new = make_article(topic=topic, title="刚刚发布", status=S.APPROVED, published_at=None)
    for path in ["/", old.get_absolute_url(), latest.get_absolute_url()]:
        fetch(through_varnish, path)
        assert fetch(through_varnish, path)[1]["X-Cache"] == "HIT", path
    workflow.publish(new, by=editor)
    status, headers, body = fetch(through_varnish, "/")
    assert headers["X-Cache"] == "MISS" and "刚刚发布" in body
    # Its neighbour's page (prev/next) changed too; an old article's did not.
    status, headers, body = fetch(through_varnish, latest.get_absolute_url())
    assert headers["X-Cache"] == "MISS" and new.slug in body
    calls = len(app_requests)
    assert fetch(through_varnish, old.get_absolute_url())[1]["X-Cache"] == "HIT"
    assert len(app_requests) == calls


def test_a_takedown_purges_every_page_that_showed_the_article(through_varnish, editor):
    topic, other = make_topic("能源"), make_topic("体育")
    before = make_article(topic=topic, title="之前", tags=["光伏"], age=timedelta(days=3))
    gone = make_article(topic=topic, title="要撤下的稿件", tags=["光伏"], age=timedelta(days=2))
    after = make_article(topic=topic, title="之后", age=timedelta(days=1))
    unrelated = make_article(topic=other, title="无关", age=timedelta(days=10))
    showing = [
        "/",
        topic.get_absolute_url(),
        "/tags/guang-fu/",
        "/feeds/rss/",
        f"/topics/{topic.slug}/atom/",
        "/sitemap-articles.xml",
        before.get_absolute_url(),
        after.get_absolute_url(),
        gone.get_absolute_url(),
    ]
    for path in [*showing, other.get_absolute_url()]:
        status, _headers, body = fetch(through_varnish, path)
        assert status == 200, path
        assert fetch(through_varnish, path)[1]["X-Cache"] == "HIT", path
    for path in showing:
        assert gone.slug in fetch(through_varnish, path)[2], path
    workflow.trash(gone, by=editor)
    for path in showing:
        status, headers, body = fetch(through_varnish, path)
        assert headers["X-Cache"] == "MISS", path
        assert gone.slug not in body, path
    assert fetch(through_varnish, gone.get_absolute_url())[0] == 404
    assert fetch(through_varnish, other.get_absolute_url())[1]["X-Cache"] == "HIT"
    assert unrelated.slug in fetch(through_varnish, other.get_absolute_url())[2]


def test_staff_sessions_posts_and_the_admin_pass_through(through_varnish, editor, app_requests):
    make_article(title="人人可见")
    client = Client()
    client.force_login(editor)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    for _ in range(2):
        status, headers, body = fetch(through_varnish, "/", {"Cookie": cookie})
        assert status == 200 and headers["X-Cache"] == "MISS"
    for _ in range(2):
        status, headers, _body = fetch(through_varnish, "/admin/login/")
        assert headers["X-Cache"] == "MISS"
    calls = len(app_requests)
    post = urllib.request.Request(through_varnish + "/", data=b"x=1", method="POST")
    with contextlib.suppress(urllib.error.HTTPError):  # 403: no CSRF token, from the app
        urllib.request.urlopen(post, timeout=10)
    assert len(app_requests) == calls + 1


def test_purge_is_refused_from_other_addresses(through_varnish):
    host, port = through_varnish.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), source_address=("127.0.0.2", 0))
    connection.request("PURGE", "/", headers={"xkey-purge": "site"})
    assert connection.getresponse().status == 403
    connection.close()


# The app's side, without Varnish ------------------------------------------------


@pytest.fixture
def purge_server(settings):
    server = RecordingServer()
    handler = server.httpd.RequestHandlerClass
    handler.do_PURGE = handler.do_GET
    server.route("/", (200, {}, b"Purged 1"))
    settings.VARNISH_PURGE_URLS = [server.url]
    settings.JOBS_BROKER_URL = ""
    yield server
    server.close()


@pytest.mark.django_db
def test_keys_are_purged_in_varnish_after_commit(purge_server, django_capture_on_commit_callbacks):
    article = make_article()
    purge_server.requests.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        purge({f"article-{article.pk}", "list"})
    assert purge_server.requests == []  # nothing before the commit
    for callback in callbacks:
        callback()
    [sent] = purge_server.requests
    assert sent.method == "PURGE"
    headers = {name.lower(): value for name, value in sent.headers.items()}
    assert headers["xkey-purge"] == f"article-{article.pk} list"


@pytest.mark.django_db
def test_a_varnish_that_is_down_never_breaks_a_save(
    settings, caplog, django_capture_on_commit_callbacks
):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    settings.VARNISH_PURGE_URLS = [f"http://127.0.0.1:{closed}"]
    settings.JOBS_BROKER_URL = ""
    varnish._down.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = make_article(title="照常保存")
    with django_capture_on_commit_callbacks(execute=True):
        make_article(title="再保存一篇")
    assert Article.objects.filter(pk=first.pk).exists()
    warnings = [r for r in caplog.records if "did not take a purge" in r.getMessage()]
    assert len(warnings) == 1  # logged once, not per save
    varnish._down.clear()


@pytest.mark.django_db
def test_with_a_job_queue_purges_are_jobs(
    purge_server, settings, django_capture_on_commit_callbacks
):
    settings.JOBS_BROKER_URL = "redis://127.0.0.1:6379/14"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article()
    job = Job.objects.filter(name="cache.purge_varnish").latest("pk")
    assert f"article-{article.pk}" in job.kwargs["keys"]
    assert job.kwargs["url"] == purge_server.url
    assert any(r.method == "PURGE" for r in purge_server.requests)  # run (eagerly here)
