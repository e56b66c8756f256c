"""
The page benchmark of issue 6, one command (`make bench`):

    .venv/bin/python bench/run.py [--articles 100000] [--quick] [--duration 10] ...

1. Generates (or reuses) N articles on PostgreSQL (bench/generate.py).
2. Starts gunicorn with production settings (2 sync workers, DEBUG off) on a
   free 127.0.0.1 port, twice: "uncached" (PAGE_CACHE=0) and "cached"
   (PAGE_CACHE=1); both share Redis db 15, flushed before each phase.
3. Fetches each page once, keeps its exact bytes, and serves them again from
   a bare Django view (bench/urls.py) in the same server: the reference.
4. Loads every page and its reference with wrk: a warm-up, then repetitions
   of page, reference, page, reference ... so each pair sees the same machine.
5. Prints a markdown table (requests/s, p50/p99, ratio to the reference,
   queries per page, errors, the issue's targets) and writes it to
   bench/results/latest.md (raw numbers in latest.json). `--explain` instead
   prints the query plans of every public query (bench/explain.py).

Only ever loads 127.0.0.1. See bench/README.md.
"""

import argparse
import http.client
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    BENCH_DIR,
    DEFAULT_REDIS_URL,
    ORIGINAL_ENVIRONMENT,
    RESULTS_DIR,
    ROOT,
    database_url,
    is_local,
    log,
    production_environment,
    setup_django,
)

HOST = "127.0.0.1"
WRK_SCRIPT = BENCH_DIR / "wrk_report.lua"
GUNICORN = Path(sys.executable).with_name("gunicorn")

# The targets: share of the bare reference's requests/s.
UNCACHED_TARGETS = {
    "latest": 0.11,
    "article": 0.20,
    "article-big-tags": 0.10,  # the issue: no worse than 10 % in any case
    "article-small-tags": 0.10,
    "topic": 0.11,
    "tag": 0.11,
    "archive-month": 0.11,
    "archive-day": 0.11,
    "rss": 0.14,
}
DEEP_PAGE_TARGET = 0.80  # the deep list page against page 1, uncached
CACHED_TARGET = 0.70
PHASES = {
    # name: environment of the gunicorn run
    "uncached": {"PAGE_CACHE": "0"},
    "cached": {"PAGE_CACHE": "1"},
    # Readers, a crawler and an editor at once (bench/mixed.py).
    "mixed": {"PAGE_CACHE": "1"},
    # deploy/varnish/default.vcl in front of the cached app: hits never reach Python.
    "varnish": {"PAGE_CACHE": "1"},
}
VCL = ROOT / "deploy" / "varnish" / "default.vcl"


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Newsroom page benchmark (issue 6)",
        formatter_class=argparse.RawTextHelpFormatter,
    )
    parser.add_argument("--articles", type=int, default=100_000, help="articles (default 100000)")
    parser.add_argument("--regenerate", action="store_true", help="regenerate the articles")
    parser.add_argument(
        "--search-index", action="store_true", help="also segment the articles for search"
    )
    parser.add_argument(
        "--duration", type=float, default=10, help="seconds per measurement (default 10)"
    )
    parser.add_argument("--warmup", type=float, default=2, help="warm-up seconds per URL")
    parser.add_argument("--repetitions", type=int, default=3, help="measurements per URL")
    parser.add_argument("--connections", type=int, default=16, help="wrk -c (default 16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--port", type=int, default=0, help="the server's port on 127.0.0.1 (default: a free one)"
    )
    parser.add_argument(
        "--max-requests",
        type=int,
        default=0,
        help="gunicorn max_requests; 0 (default) keeps workers for the whole phase,\n"
        "so no restart lands inside a measurement (production config: 5000)",
    )
    parser.add_argument(
        "--phases",
        default="uncached,cached,mixed",
        help="comma-separated: uncached,cached,mixed (readers, crawler, editor),\n"
        "varnish (Debian's varnishd in front of the cached app)",
    )
    parser.add_argument(
        "--varnish-port", type=int, default=0, help="varnishd's port (default: a free one)"
    )
    parser.add_argument(
        "--mixed-duration", type=float, default=60, help="seconds of the mixed load (default 60)"
    )
    parser.add_argument(
        "--mixed-connections",
        type=int,
        default=8,
        help="requests in flight in the mixed load (default 8)",
    )
    parser.add_argument(
        "--mixed-edit-every",
        type=float,
        default=10,
        help="seconds between the editor's writes in the mixed load (default 10; 0: no editor)",
    )
    parser.add_argument("--pages", default="", help="comma-separated page names (default all)")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 1 repetition of 3 s, 1 s warm-up"
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL))
    parser.add_argument("--explain", action="store_true", help="print query plans, no load")
    parser.add_argument(
        "--survival",
        action="store_true",
        help="then measure how much of the page cache survives a publication\n"
        "(bench/survival.py, its own database; add --quick for 500 article pages)",
    )
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "latest.md")
    args = parser.parse_args(argv)
    if args.quick:
        args.duration, args.warmup, args.repetitions = 3, 1, 1
        args.mixed_duration = min(args.mixed_duration, 30)
    args.phases = [p for p in args.phases.split(",") if p]
    unknown = set(args.phases) - set(PHASES)
    if unknown:
        parser.error(f"unknown phases: {', '.join(sorted(unknown))}")
    if not is_local(args.redis_url):
        parser.error("--redis-url must be a local Redis (it is flushed)")
    return args


def main(argv=None):
    args = parse_args(argv)
    wrk = shutil.which("wrk")
    if not wrk and not args.explain and set(args.phases) - {"mixed"}:
        raise SystemExit("wrk is missing: apt-get install wrk")
    RESULTS_DIR.mkdir(exist_ok=True)
    db_url = database_url()
    started = time.monotonic()
    setup_django(db_url)

    from bench.generate import ensure_dataset

    dataset = ensure_dataset(
        args.articles, regenerate=args.regenerate, search_index=args.search_index
    )
    collect_static()

    if args.explain:
        from bench.explain import explain_all

        explain_all()
        return

    from bench.pages import pick_pages

    pages = pick_pages()
    if args.pages:
        wanted = set(args.pages.split(","))
        pages = [
            (name, path) for name, path in pages if name in wanted or name.split("-p")[0] in wanted
        ]
        if not pages:
            raise SystemExit(f"--pages matches none of: {', '.join(n for n, _ in pick_pages())}")
    context = describe_run(args, dataset, db_url)
    results = {}
    with tempfile.TemporaryDirectory(prefix="newsroom-bench-") as bare_dir:
        for phase in args.phases:
            results[phase] = run_phase(phase, pages, args, wrk, db_url, Path(bare_dir))
    context["minutes"] = round((time.monotonic() - started) / 60, 1)
    report = render(context, pages, results)
    args.output.write_text(report, encoding="utf-8")
    args.output.with_suffix(".json").write_text(
        json.dumps({"context": context, "pages": pages, "results": results}, indent=2, default=str),
        encoding="utf-8",
    )
    if args.survival:
        report += "\n\n" + run_survival(args)
        args.output.write_text(report, encoding="utf-8")
    print(report)
    log(
        f"Written to {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}"
    )


def run_survival(args):
    """bench/survival.py in a process of its own (it sets Django up on its own database)."""
    command = [sys.executable, str(BENCH_DIR / "survival.py"), "--redis-url", args.redis_url]
    if args.quick:
        command.append("--quick")
    log("== survival (bench/survival.py)")
    done = subprocess.run(
        command, cwd=ROOT, env=ORIGINAL_ENVIRONMENT, capture_output=True, text=True
    )
    if done.returncode:
        return f"bench/survival.py failed:\n\n```\n{done.stderr[-2000:]}\n```"
    return done.stdout.strip()


def collect_static():
    """Whitenoise's manifest storage needs collected files outside DEBUG."""
    from django.core.management import call_command

    log("collectstatic")
    call_command("collectstatic", interactive=False, verbosity=0)


# -- one phase: a gunicorn, the pages, their references ---------------------


def run_phase(phase, pages, args, wrk, db_url, bare_root):
    log(f"== {phase}")
    flush_redis(args.redis_url)
    bare_dir = bare_root / phase
    bare_dir.mkdir()
    port = args.port or free_port()
    env = {
        **ORIGINAL_ENVIRONMENT,
        **production_environment(db_url),
        **PHASES[phase],
        "REDIS_URL": args.redis_url,
        "GUNICORN_BIND": f"{HOST}:{port}",
        "GUNICORN_WORKERS": str(args.workers),
        "GUNICORN_MAX_REQUESTS": str(args.max_requests),
        "GUNICORN_ACCESS_LOG": "/dev/null",
        "BENCH_BARE_DIR": str(bare_dir),
    }
    env.pop("CACHE_URL", None)
    server_log = RESULTS_DIR / f"gunicorn-{phase}.log"
    with server_log.open("w") as output:
        server = subprocess.Popen(
            [str(GUNICORN), "-c", "gunicorn.conf.py", "newsroom.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        varnish = None
        try:
            wait_until_ready(server, port, server_log)
            if phase == "mixed":
                result = measure_mixed(args, port, db_url, server)
            elif phase == "varnish":
                varnish, page_port = start_varnish(port, args.varnish_port or free_port())
                result = measure(phase, pages, args, wrk, port, bare_dir, server, page_port)
            else:
                result = measure(phase, pages, args, wrk, port, bare_dir, server)
        finally:
            if varnish is not None:
                stop_varnish(*varnish)
            stop(server)
    log_text = server_log.read_text(errors="replace")
    result["server_errors"] = log_text.count("Traceback") + log_text.count("[ERROR]")
    result["server_log"] = str(server_log.relative_to(ROOT))
    return result


def start_varnish(backend_port, port):
    """varnishd with deploy/varnish/default.vcl on `port`, in front of `backend_port`."""
    varnishd = shutil.which("varnishd") or "/usr/sbin/varnishd"
    if not os.path.exists(varnishd):
        raise SystemExit("varnishd is missing: apt-get install varnish varnish-modules")
    workdir = Path(tempfile.mkdtemp(prefix="newsroom-bench-varnish-"))
    workdir.chmod(0o755)
    vcl = workdir / "default.vcl"
    vcl.write_text(VCL.read_text().replace('.port = "8000";', f'.port = "{backend_port}";'))
    vcl.chmod(0o644)
    process = subprocess.Popen(
        [varnishd, "-F", "-n", str(workdir), "-a", f"{HOST}:{port}", "-f", str(vcl)]
        + ["-s", "malloc,256m", "-T", "none"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            with socket.create_connection((HOST, port), timeout=0.2):
                break
        except OSError:
            if process.poll() is not None:
                raise SystemExit("varnishd did not start") from None
            time.sleep(0.1)
    log(f"  varnishd on {HOST}:{port} in front of gunicorn on {backend_port}")
    return (process, workdir), port


def stop_varnish(process, workdir):
    stop(process)
    shutil.rmtree(workdir, ignore_errors=True)


def measure(phase, pages, args, wrk, port, bare_dir, server, page_port=None):
    """Pages are loaded through `page_port` (Varnish's), references from the app's `port`."""
    page_port = page_port or port
    urls, checks = [], {}
    for name, path in pages:
        first = fetch(page_port, path)
        second = fetch(page_port, path)
        (bare_dir / f"{name}.body").write_bytes(second["body"])
        (bare_dir / f"{name}.type").write_text(second["headers"].get("content-type", "text/html"))
        bare_path = f"/_bench/bare/{name}/"
        bare = fetch(port, bare_path)
        checks[name] = {
            "status": [first["status"], second["status"]],
            "bytes": len(second["body"]),
            "queries": [
                first["headers"].get("x-query-count"),
                second["headers"].get("x-query-count"),
            ],
            "page_cache": [
                first["headers"].get("x-cache") or first["headers"].get("x-page-cache"),
                second["headers"].get("x-cache") or second["headers"].get("x-page-cache"),
            ],
            "bare_status": bare["status"],
            "bare_bytes": len(bare["body"]),
            "bare_queries": bare["headers"].get("x-query-count"),
        }
        if first["status"] != 200 or second["status"] != 200 or bare["status"] != 200:
            log(
                f"  {name} {path}: status {first['status']}/{second['status']}, bare {bare['status']}"
            )
        urls.append((name, path, bare_path))

    memory_at_start = worker_memory(server.pid)
    load_before = os.getloadavg()[0]
    if load_before > 1:
        log(f"  the machine is busy (load average {load_before:.1f}): expect noisy numbers")
    log(f"  warm-up {args.warmup:g} s per URL")
    for _, path, bare_path in urls:
        run_wrk(wrk, page_port, path, args.warmup, args)
        run_wrk(wrk, port, bare_path, args.warmup, args)
    runs = {name: {"page": [], "bare": []} for name, _, _ in urls}
    for repetition in range(1, args.repetitions + 1):
        log(f"  repetition {repetition}/{args.repetitions}")
        for name, path, bare_path in urls:
            runs[name]["page"].append(run_wrk(wrk, page_port, path, args.duration, args))
            runs[name]["bare"].append(run_wrk(wrk, port, bare_path, args.duration, args))
            page, bare = runs[name]["page"][-1], runs[name]["bare"][-1]
            log(f"    {name:<14} {page['rps']:8.0f} req/s   bare {bare['rps']:8.0f} req/s")
    return {
        "checks": checks,
        "runs": runs,
        "memory_at_start": memory_at_start,
        "memory": worker_memory(server.pid),
        "load": [load_before, os.getloadavg()[0]],
    }


def measure_mixed(args, port, db_url, server):
    from bench.mixed import run_mixed

    result = run_mixed(
        port,
        db_url,
        args.redis_url,
        duration=args.mixed_duration,
        connections=args.mixed_connections,
        edit_every=args.mixed_edit_every,
    )
    result["memory"] = worker_memory(server.pid)
    return result


def run_wrk(wrk, port, path, duration, args):
    url = f"http://{HOST}:{port}{path}"
    command = [
        wrk,
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{max(1, round(duration))}s",
        "--timeout",
        "10s",
        "-s",
        str(WRK_SCRIPT),
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCH ")), None)
    if done.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed on {url}:\n{done.stdout}\n{done.stderr}")
    values = dict(item.split("=", 1) for item in line.split()[1:])
    numbers = {key: int(value) for key, value in values.items()}
    seconds = numbers["duration_us"] / 1e6
    return {
        "rps": numbers["requests"] / seconds if seconds else 0.0,
        "requests": numbers["requests"],
        "p50_ms": numbers["p50_us"] / 1000,
        "p90_ms": numbers["p90_us"] / 1000,
        "p99_ms": numbers["p99_us"] / 1000,
        "max_ms": numbers["max_us"] / 1000,
        "errors": sum(numbers[k] for k in ("connect", "read", "write", "timeout")),
        "status_errors": numbers["status"],
    }


def fetch(port, path):
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        headers = {name.lower(): value for name, value in response.getheaders()}
        return {"status": response.status, "headers": headers, "body": body}
    finally:
        connection.close()


def flush_redis(url):
    import redis

    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        client.flushdb()
    except redis.RedisError as error:
        raise SystemExit(f"Redis at {url} is not reachable ({error}); start redis-server") from None
    finally:
        client.close()


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def wait_until_ready(server, port, server_log, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited ({server.returncode}):\n{tail(server_log)}")
        try:
            if fetch(port, "/robots.txt")["status"] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer within {timeout} s:\n{tail(server_log)}")


def stop(server):
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def tail(path, lines=40):
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def worker_memory(master_pid):
    """Peak (VmHWM) and current (VmRSS) resident memory of each worker, in MB."""
    workers = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(master_pid):
            workers.append(
                {
                    "pid": int(entry.name),
                    "peak_mb": int(fields["VmHWM"].split()[0]) / 1024,
                    "rss_mb": int(fields["VmRSS"].split()[0]) / 1024,
                }
            )
    return sorted(workers, key=lambda worker: worker["pid"])


# -- the report ---------------------------------------------------------------


def describe_run(args, dataset, db_url):
    import django
    from django.db import connection

    from articles.models import Article

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git_commit(),
        "articles": dataset["articles"],
        "published": Article.objects.published().count(),
        "generated": dataset["generated"],
        "generation_seconds": round(dataset["seconds"]),
        "database": db_url.rsplit("@", 1)[-1],
        "postgresql": pg_version.split()[0],
        "python": platform.python_version(),
        "django": django.get_version(),
        "cpus": os.cpu_count(),
        "wrk": f"wrk -t{args.threads} -c{args.connections}",
        "duration": args.duration,
        "warmup": args.warmup,
        "repetitions": args.repetitions,
        "workers": args.workers,
        "max_requests": args.max_requests,
    }


def git_commit():
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return f"{head} + uncommitted changes" if dirty else head


def summarize(measurements):
    return {
        "rps": statistics.median(m["rps"] for m in measurements),
        "p50_ms": statistics.median(m["p50_ms"] for m in measurements),
        "p99_ms": statistics.median(m["p99_ms"] for m in measurements),
        "errors": sum(m["errors"] + m["status_errors"] for m in measurements),
    }


def target_for(phase, name):
    if phase == "varnish":
        return None  # no target: what not touching Python is worth
    if phase == "cached":
        return CACHED_TARGET
    return UNCACHED_TARGETS.get(name)


def render(context, pages, results):
    lines = [
        f"# Newsroom page benchmark, {context['date']}",
        "",
        f"- {context['articles']:,} articles ({context['published']:,} published) on PostgreSQL "
        f"{context['postgresql']}, "
        + (
            f"generated in {context['generation_seconds']} s"
            if context["generated"]
            else "reused from an earlier run"
        ),
        f"- gunicorn, {context['workers']} sync workers, production settings (DEBUG off), "
        f"Redis cache; {context['wrk']}, {context['repetitions']} × {context['duration']:g} s "
        f"per URL after a {context['warmup']:g} s warm-up, each page measured right before "
        "its bare reference (the same bytes from a bare Django view in the same server)",
        f"- commit {context['commit']}; Python {context['python']}, Django {context['django']}, "
        f"{context['cpus']} CPUs; the whole run took {context['minutes']} min",
        "- req/s and latencies are medians of the repetitions; ratio = page req/s ÷ bare req/s "
        "(median of the paired runs); queries = database queries of one request "
        "(first request → second request)",
        "",
    ]
    verdicts = []
    for phase, result in results.items():
        if phase == "mixed":
            from bench.mixed import render_mixed

            lines.append(render_mixed(result))
            continue
        title = {
            "uncached": "Uncached (page cache off: PAGE_CACHE=0)",
            "cached": "Cached (anonymous page cache on: PAGE_CACHE=1, Redis)",
            "varnish": "Varnish in front (deploy/varnish/default.vcl; the cached app behind it)",
        }[phase]
        lines += [
            f"## {title}",
            "",
            "| page | path | KB | req/s | p50 ms | p99 ms | bare req/s | ratio | target | | "
            "queries | errors |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- | ---: |",
        ]
        summaries = {}
        for name, path in pages:
            runs, check = result["runs"][name], result["checks"][name]
            page, bare = summarize(runs["page"]), summarize(runs["bare"])
            ratio = statistics.median(
                p["rps"] / b["rps"] if b["rps"] else 0.0
                for p, b in zip(runs["page"], runs["bare"], strict=True)
            )
            summaries[name] = page
            target = target_for(phase, name)
            verdict = ""
            if target is not None:
                met = ratio >= target
                verdict = "met" if met else "**missed**"
                verdicts.append((phase, name, met))
            errors = page["errors"]
            status_note = "" if check["status"] == [200, 200] else f" (status {check['status']})"
            bare_note = "" if bare["errors"] == 0 else f" (bare {bare['errors']})"
            lines.append(
                f"| {name} | `{path}` | {check['bytes'] / 1024:.1f} | {page['rps']:.0f} | "
                f"{page['p50_ms']:.1f} | {page['p99_ms']:.1f} | {bare['rps']:.0f} | "
                f"{ratio:.1%} | {'≥ ' + format(target, '.0%') if target else ''} | {verdict} | "
                f"{' → '.join(str(q) for q in check['queries'])} | "
                f"{errors}{status_note}{bare_note} |"
            )
        deep = next((name for name, _ in pages if name.startswith("latest-p")), None)
        if phase == "uncached" and deep and "latest" in summaries:
            share = summaries[deep]["rps"] / summaries["latest"]["rps"]
            met = share >= DEEP_PAGE_TARGET
            verdicts.append((phase, f"{deep} vs latest", met))
            lines.append(
                f"| {deep} vs latest | | | | | | | {share:.1%} | ≥ {DEEP_PAGE_TARGET:.0%} | "
                f"{'met' if met else '**missed**'} | | |"
            )
        memory, at_start = result["memory"], result["memory_at_start"]
        bare_rps = [m["rps"] for runs in result["runs"].values() for m in runs["bare"]]
        spread = statistics.pstdev(bare_rps) / statistics.mean(bare_rps) if bare_rps else 0
        lines += [
            "",
            "Worker memory: peak (VmHWM at the end of the phase) "
            + (", ".join(f"{w['peak_mb']:.0f} MB" for w in memory) or "not found")
            + "; resident after start-up "
            + (", ".join(f"{w['rss_mb']:.0f} MB" for w in at_start) or "not found")
            + ".  ",
            f"Machine: 1-minute load average {result['load'][0]:.1f} before the load, "
            f"{result['load'][1]:.1f} after; the bare reference ranged "
            f"{min(bare_rps):.0f}–{max(bare_rps):.0f} req/s across URLs and repetitions "
            f"(coefficient of variation {spread:.0%}, though sizes differ).",
            "",
        ]
        if result["server_errors"]:
            lines += [
                f"**{result['server_errors']} errors in the server log** "
                f"(`{result['server_log']}`).",
                "",
            ]
        cache_states = {name: check["page_cache"] for name, check in result["checks"].items()}
        if phase == "cached" and any(states[1] != "hit" for states in cache_states.values()):
            misses = ", ".join(n for n, s in cache_states.items() if s[1] != "hit")
            lines += [f"Not served from the page cache on the second request: {misses}.", ""]
    total_errors = sum(
        m["errors"] + m["status_errors"]
        for result in results.values()
        for runs in result.get("runs", {}).values()
        for kind in ("page", "bare")
        for m in runs[kind]
    )
    met = sum(1 for *_, ok in verdicts if ok)
    missed = [f"{phase} {name}" for phase, name, ok in verdicts if not ok]
    lines += [
        "## Targets",
        "",
        f"{met} of {len(verdicts)} ratio targets met"
        + (f"; missed: {', '.join(missed)}" if missed else "")
        + f". Errors and non-2xx/3xx answers under load: {total_errors}.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
