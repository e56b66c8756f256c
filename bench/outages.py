"""
Measure the site through Redis and database outages (README, "Resilience").

    .venv/bin/python bench/outages.py --database newsroom_outages

Makes (or reuses) the PostgreSQL database named, migrated and with the demo
content, then runs gunicorn (production settings, 2 sync workers) three times:

0. Redis up with the page cache off: what an uncached page costs here.
1. Redis at a closed port: time per request, and the log lines.
2. Redis at a port that accepts and never answers (a hung Redis): time per
   request and how many connections the app opened over N requests.
3. PostgreSQL through a TCP proxy that is then stopped: the time to the first
   503, the next ones, a cached page, and the time to recover once the proxy
   is back; then pg_terminate_backend on every connection to that database
   (as a restart would) and the answers that follow.
"""

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.tcp_proxy import TcpProxy  # noqa: E402

PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port, path, timeout=30):
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r:
            r.read()
            status, headers = r.status, r.headers
    except urllib.error.HTTPError as error:
        status, headers = error.code, error.headers
    return status, time.perf_counter() - started, headers


class Server:
    def __init__(self, env, log):
        self.port = free_port()
        self.log = log
        self.env = {
            **os.environ,
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": "2",
            "GUNICORN_ACCESS_LOG": "/dev/null",
        }

    def __enter__(self):
        self.process = subprocess.Popen(
            [GUNICORN, "-c", "gunicorn.conf.py", "newsroom.wsgi"],
            cwd=ROOT,
            env=self.env,
            stdout=open(self.log, "w"),
            stderr=subprocess.STDOUT,
        )
        for _ in range(100):
            try:
                get(self.port, "/robots.txt", timeout=2)
                return self
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"gunicorn did not start; see {self.log}")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)


class SilentPort:
    """Accepts connections and never answers; counts them."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.accepted = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)


def prepare(database, base_env):
    admin = psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True)
    exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
    if not exists:
        admin.execute(f'CREATE DATABASE "{database}"')
    env = {**os.environ, **base_env}
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([PYTHON, "manage.py", "load_demo_content"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )


def timings(port, paths, n):
    statuses, times = {}, []
    for i in range(n):
        status, elapsed, _ = get(port, paths[i % len(paths)])
        statuses[status] = statuses.get(status, 0) + 1
        times.append(elapsed)
    return statuses, sum(times) / n * 1000, max(times) * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="newsroom_outages")
    parser.add_argument("--redis-db", default="10")
    parser.add_argument("-n", type=int, default=200)
    args = parser.parse_args()
    pg_url = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    base = {
        "SECRET_KEY": "outage-measurements-only",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": pg_url,
        "LOG_LEVEL": "WARNING",
    }
    prepare(args.database, base)
    paths = ["/", "/archive/", "/feeds/rss/", "/sitemap.xml", "/search/?q=%E8%83%BD%E6%BA%90"]
    log_dir = Path("/tmp/newsroom-outages")
    log_dir.mkdir(exist_ok=True)

    print(f"== 0. Baseline: Redis up, page cache off, {args.n} requests over {len(paths)} URLs")
    env = {**base, "REDIS_URL": f"redis://127.0.0.1:6379/{args.redis_db}", "PAGE_CACHE": "0"}
    with Server(env, log_dir / "baseline.log") as server:
        statuses, mean, p99 = timings(server.port, paths, args.n)
    print(f"   statuses {statuses}; mean {mean:.1f} ms, max {p99:.1f} ms")

    print(f"== 1. Redis at a closed port, {args.n} requests over {len(paths)} URLs")
    env = {**base, "REDIS_URL": f"redis://127.0.0.1:1/{args.redis_db}"}
    with Server(env, log_dir / "redis-closed.log") as server:
        statuses, mean, p99 = timings(server.port, paths, args.n)
    lines = (log_dir / "redis-closed.log").read_text().count("is unreachable")
    print(
        f"   statuses {statuses}; mean {mean:.1f} ms, max {p99:.1f} ms; 'unreachable' log lines: {lines}"
    )

    print(f"== 2. Redis that accepts and never answers, {args.n} requests")
    silent = SilentPort()
    env = {**base, "REDIS_URL": f"redis://127.0.0.1:{silent.port}/{args.redis_db}"}
    with Server(env, log_dir / "redis-silent.log") as server:
        statuses, mean, p99 = timings(server.port, paths, args.n)
    print(
        f"   statuses {statuses}; mean {mean:.1f} ms, max {p99:.1f} ms; "
        f"connections opened to Redis: {len(silent.accepted)}"
    )

    print("== 3. PostgreSQL down (proxy stopped), then back, then restarted")
    proxy = TcpProxy("127.0.0.1", 5432).start()
    env = {
        **base,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{proxy.port}/{args.database}",
        "REDIS_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
        "CACHE_KEY_PREFIX": f"outages-{os.getpid()}",
    }
    with Server(env, log_dir / "database.log") as server:
        for _ in range(3):
            get(server.port, "/")
        status, _, headers = get(server.port, "/")
        print(f"   before: / {status} X-Page-Cache={headers.get('X-Page-Cache')}")
        proxy.stop()
        status, first, headers = get(server.port, "/archive/")
        print(
            f"   first uncached request: {status} in {first * 1000:.0f} ms, "
            f"Retry-After={headers.get('Retry-After')}"
        )
        statuses, mean, p99 = timings(server.port, ["/archive/", "/feeds/atom/"], 40)
        print(f"   next 40 uncached: {statuses}, mean {mean:.1f} ms, max {p99:.1f} ms")
        statuses, mean, _ = timings(server.port, ["/"], 20)
        print(f"   cached page during the outage: {statuses}, mean {mean:.1f} ms")
        proxy.start()
        started = time.perf_counter()
        while get(server.port, "/archive/")[0] != 200:
            time.sleep(0.1)
        print(
            f"   back: first 200 {time.perf_counter() - started:.1f} s after the database returned"
        )
        in_a_row = 0
        while in_a_row < 20:
            in_a_row = in_a_row + 1 if get(server.port, "/archive/")[0] == 200 else 0
        print(
            f"   20 uncached 200s in a row {time.perf_counter() - started:.1f} s after it returned"
        )
        # A worker that found the database down tries again after DATABASE_RETRY_SECONDS (5).
        time.sleep(6)
        statuses, _, _ = timings(server.port, paths, 40)
        print(f"   after the retry interval: {statuses}")
        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True
        ) as admin:
            killed = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s",
                [args.database],
            ).fetchone()[0]
        statuses, mean, _ = timings(server.port, paths, 40)
        print(
            f"   after pg_terminate_backend on {killed} connections: {statuses}, mean {mean:.1f} ms"
        )
    proxy.stop()


if __name__ == "__main__":
    main()
