"""
Real Celery workers against Redis (marker `worker`): a poll whose worker is
killed mid-run runs again in another worker and imports once; push jobs
reach local endpoints once each, retried after a failure. Each test starts
its workers (`celery -A jobs worker`, on a queue of its own) and stops them.

Needs Redis at TEST_REDIS_URL (default redis://127.0.0.1:6379/7): skipped
locally without it, failed under CI (.ci/run makes sure it runs).
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.db import connection

from articles import workflow
from articles.models import Article
from jobs.models import Job
from tests.factories import ensure_roles, make_article, make_source, make_topic, make_user
from tests.http_servers import RecordingServer
from tests.test_jobs import use_broker
from wire import polling
from wire.models import PollRun, PushDelivery, WireFeed

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/7")
ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def queue(settings):
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {REDIS_URL}: {exc}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    name = f"newsroom-test-{uuid.uuid4().hex[:12]}"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = REDIS_URL
    from jobs.celery import app

    app.conf.task_default_queue = name
    use_broker(REDIS_URL, eager=False)
    yield name
    app.conf.task_default_queue = "celery"
    use_broker(None, eager=True)
    client = redis.Redis.from_url(REDIS_URL)
    client.delete(name, f"_kombu.binding.{name}", f"_kombu.binding_permanent.{name}")


def database_url():
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    return f"postgres://{params['USER']}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{params['NAME']}"


class Worker:
    def __init__(self, queue, **env):
        self.log = open(f"/tmp/{queue}-{time.monotonic_ns()}.log", "w+")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "jobs",
                "worker",
                "--pool=solo",
                "-Q",
                queue,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "info",
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
                "DATABASE_URL": database_url(),
                "DATABASE_POOL": "0",
                "JOBS_BROKER_URL": REDIS_URL,
                "JOBS_TEST_QUEUE": queue,
                "JOBS_VISIBILITY_TIMEOUT": "4",
                "JOBS_RESTORE_INTERVAL": "1",
                "JOBS_RETRY_BACKOFF": "1",
                **env,
            },
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self):
        """SIGKILL the worker's whole process group: no warm shutdown, no acknowledgement."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()[-3000:]


@pytest.fixture
def workers():
    started = []

    def start(queue, **env):
        worker = Worker(queue, **env)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def wait_for(condition, timeout, what, worker=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(
        f"timed out waiting for {what}" + (f"\n{worker.output()}" if worker else "")
    )


def test_a_killed_workers_poll_runs_again_in_another_worker_and_imports_once(queue, workers):
    from tests.test_wire_polling import FEED_URL, rss

    server = RecordingServer()
    try:
        # The first fetch hangs long enough for the worker to be killed mid-poll.
        server.route("/feed.xml", (200, {"Content-Type": "application/rss+xml"}, rss()), delay=30)
        ensure_roles()
        chief = make_user("chief", "zongbian")
        feed = WireFeed.objects.create(
            source=make_source("新华社"), url=FEED_URL, topic=make_topic("能源"), owner=chief
        )
        job = polling.poll_now(feed)  # committed: sent to Redis
        env = {"WIRE_TEST_SERVER_PORT": str(server.port)}
        first = workers(queue, **env)
        wait_for(
            lambda: Job.objects.get(pk=job.pk).status == Job.Status.RUNNING,
            60,
            "the poll to start",
            first,
        )
        wait_for(lambda: server.hits("/feed.xml"), 30, "the fetch", first)
        first.kill()
        assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING  # taken, never finished
        server.routes["/feed.xml"].delay = 0
        second = workers(queue, **env)
        wait_for(
            lambda: Job.objects.get(pk=job.pk).status == Job.Status.SUCCEEDED,
            90,
            "the poll to run again",
            second,
        )
    finally:
        server.close()
    job.refresh_from_db()
    assert job.attempts == 2
    assert len(server.hits("/feed.xml")) == 2
    assert Article.objects.count() == 3
    assert Article.objects.values("source_url").distinct().count() == 3
    assert PollRun.objects.count() == 1  # the killed poll's transaction left nothing behind


def test_push_jobs_reach_each_endpoint_once_with_a_retry_after_a_failure(queue, workers):
    server = RecordingServer()
    try:
        server.route("/hub", (204, {}, b""))
        server.route("/indexnow", (503, {}, b"busy"), (200, {}, b""))
        server.route("/urls", (200, {}, b'{"success":1}'))
        env = {
            "SITE_URL": "https://news.example.com",
            "WEBSUB_HUB_URLS": f"{server.url}/hub",
            "INDEXNOW_KEY": "a1b2c3d4e5f6",
            "INDEXNOW_ENDPOINT": f"{server.url}/indexnow",
            "BAIDU_PUSH_TOKEN": "baidu-token",
            "BAIDU_PUSH_ENDPOINT": server.url,
        }
        from django.test import override_settings

        ensure_roles()
        editor = make_user("editor", "bianji")
        draft = make_article(title="储能电站并网投运", status="draft", published_at=None)
        worker = workers(queue, **env)
        with override_settings(
            SITE_URL=env["SITE_URL"],
            WEBSUB_HUB_URLS=[env["WEBSUB_HUB_URLS"]],
            INDEXNOW_KEY=env["INDEXNOW_KEY"],
            INDEXNOW_ENDPOINT=env["INDEXNOW_ENDPOINT"],
            BAIDU_PUSH_TOKEN=env["BAIDU_PUSH_TOKEN"],
            BAIDU_PUSH_ENDPOINT=server.url,
        ):
            started = time.monotonic()
            workflow.publish(draft, by=editor)  # commits; the pushes go to the worker
            assert time.monotonic() - started < 5  # the editor does not wait for endpoints
        wait_for(
            lambda: PushDelivery.objects.filter(status=PushDelivery.Status.DELIVERED).count() == 3,
            60,
            "three deliveries",
            worker,
        )
        time.sleep(1)  # nothing else arrives
    finally:
        server.close()
    assert len(server.hits("/hub")) == 1 and len(server.hits("/urls")) == 1
    assert len(server.hits("/indexnow")) == 2
    assert PushDelivery.objects.get(endpoint="indexnow").attempts == 2
