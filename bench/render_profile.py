"""
Where a public page's time goes: database or template rendering (issue 16).

    .venv/bin/python bench/render_profile.py [--repeat 30] [--pages article,latest]

In this process, on the benchmark database (bench/generate.py; run
`make bench` or bench/generate.py first), with the anonymous page cache off:
each page of bench/pages.py is requested `--repeat` times through Django's
test client (the whole middleware stack), in three modes:

- `no-cache`: the render cache (articles/rendering.py) is a dummy backend:
  every body and list item is rendered, as before issue 16;
- `cold`: the render cache is Redis (db 15), emptied before each request:
  everything rendered and stored;
- `warm`: the same Redis, filled: bodies and list items come from it.

Per request it measures the total time, the time in the database (every
query, through connection.execute_wrapper) and the time in templates (the
outermost template render, less the queries run inside it). It then
renders a home page's 20 list items with the Django template and with a
Jinja2 translation of it (if Jinja2 is installed), the prototype the
fragment cache was chosen against. Prints a markdown table; medians in ms.
Only ever touches 127.0.0.1.
"""

import argparse
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import DEFAULT_REDIS_URL, database_url, is_local, log, setup_django  # noqa: E402

MODES = ("no-cache", "cold", "warm")


class Clock:
    """Database time and outermost-template time of the current request."""

    def __init__(self):
        self.db = 0.0
        self.template = 0.0
        self.depth = 0
        self.db_in_template = 0.0

    def query(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - started
            self.db += spent
            if self.depth:
                self.db_in_template += spent


@contextmanager
def template_timer(clock):
    from django.template.backends.django import Template

    original = Template.render

    def render(self, *args, **kwargs):
        clock.depth += 1
        started = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            clock.depth -= 1
            if not clock.depth:
                clock.template += time.perf_counter() - started

    Template.render = render
    try:
        yield
    finally:
        Template.render = original


def measure(client, path, repeat, before_each):
    from django.db import connection

    rows = []
    for _ in range(repeat):
        before_each()
        clock = Clock()
        with connection.execute_wrapper(clock.query), template_timer(clock):
            started = time.perf_counter()
            response = client.get(path)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            total = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        rows.append((total, clock.db, clock.template - clock.db_in_template))
    return [statistics.median(column) * 1000 for column in zip(*rows, strict=True)]


def list_item_prototype(repeat):
    """ms to render the home page's 20 items: Django template, Jinja2 prototype."""
    from django.template.loader import get_template
    from django.urls import reverse

    from articles.models import Article

    articles = list(Article.objects.published().for_listing().order_by("-published_at")[:20])
    django_item = get_template("articles/_article_item.html")

    def with_django():
        return "".join(django_item.render({"article": a, "item_heading": "h3"}) for a in articles)

    timings = {"django": timed(with_django, repeat)}
    try:
        import jinja2
    except ImportError:
        return timings
    from django.utils import formats
    from django.utils.translation import gettext

    from images.templatetags.pictures import picture

    env = jinja2.Environment(autoescape=True)
    env.filters["date"] = formats.date_format
    env.globals.update(_=gettext, picture=picture, reverse=reverse)
    jinja_item = env.from_string(JINJA_ITEM)

    def with_jinja():
        return "".join(jinja_item.render(article=a, item_heading="h3") for a in articles)

    timings["jinja2"] = timed(with_jinja, repeat)
    return timings


# templates/articles/_article_item.html, translated for the measurement only.
JINJA_ITEM = """<li class="article-item{% if article.lead_image %} with-image{% endif %}">
  {% if article.lead_image %}<a class="article-item-image" href="{{ article.get_absolute_url() }}" tabindex="-1" aria-hidden="true">{{ picture(article.lead_image, "4x3", "thumb") }}</a>{% endif %}
  {% if item_heading == "h3" %}<h3 class="article-item-title"><a href="{{ article.get_absolute_url() }}">{{ article.title }}</a></h3>{% else %}<h2 class="article-item-title"><a href="{{ article.get_absolute_url() }}">{{ article.title }}</a></h2>{% endif %}
  <p class="meta">
    <a class="topic-label" href="{{ article.topic.get_absolute_url() }}">{{ article.topic.name }}</a>
    <time datetime="{{ article.published_at|date('c') }}">{{ article.published_at|date('Y-m-d H:i') }}</time>
    {% if article.source %}<span class="source">{{ _("Reprinted from %(source)s")|format(source=article.source.name) }}</span>{% endif %}
  </p>
  {% if article.standfirst %}<p class="standfirst">{{ article.standfirst }}</p>{% endif %}
</li>"""  # noqa: E501


def timed(function, repeat):
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30, help="requests per page and mode")
    parser.add_argument("--pages", default="", help="comma-separated page names (default all)")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    args = parser.parse_args(argv)
    if not is_local(args.redis_url):
        parser.error("--redis-url must be a local Redis (it is flushed)")
    setup_django(database_url(), PAGE_CACHE="0", REDIS_URL=args.redis_url)

    from django.core.cache import cache
    from django.core.cache.backends.dummy import DummyCache
    from django.core.management import call_command
    from django.test import Client

    import articles.rendering
    from bench.pages import pick_pages

    # Whitenoise's manifest storage needs collected files outside DEBUG.
    call_command("collectstatic", interactive=False, verbosity=0)
    pages = pick_pages()
    if args.pages:
        wanted = set(args.pages.split(","))
        pages = [(name, path) for name, path in pages if name in wanted]
    client = Client(HTTP_HOST="127.0.0.1")
    dummy = DummyCache("render", {})
    results = {}
    for mode in MODES:
        articles.rendering.cache = dummy if mode == "no-cache" else cache
        cache.clear()
        for name, path in pages:
            client.get(path)  # connections, templates and translations loaded
            before = cache.clear if mode == "cold" else (lambda: None)
            results[name, mode] = measure(client, path, args.repeat, before)
            log(f"{mode:9} {name:20} {results[name, mode]}")
    articles.rendering.cache = cache
    cache.clear()

    lines = [
        "| page | mode | total ms | DB ms | template ms | template share | DB share |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, _path in pages:
        for mode in MODES:
            total, db, template = results[name, mode]
            lines.append(
                f"| {name} | {mode} | {total:.1f} | {db:.1f} | {template:.1f} "
                f"| {template / total:.0%} | {db / total:.0%} |"
            )
    prototype = list_item_prototype(args.repeat * 3)
    lines.append("")
    lines.append(
        "20 list items (home page), template only: "
        + ", ".join(f"{engine} {ms:.2f} ms" for engine, ms in prototype.items())
    )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
