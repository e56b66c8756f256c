"""
Search (articles.search): the term columns on the article, then the index over
them, which lives outside Django's model state because it differs by database:

- PostgreSQL: `search_vector`, a stored generated tsvector column made from
  the terms verbatim, with a GIN index. (A later migration that alters
  `search_text` itself must drop and re-create this column.)
- SQLite: the FTS5 table `articles_article_search`, kept in step from Python
  (no triggers, so Django's table rebuilds cannot lose it).

Existing articles are segmented here; `manage.py rebuild_search_index` does
the same at any time.
"""

from django.db import migrations, models

from articles.search.tokenize import article_terms

BATCH_SIZE = 500

POSTGRESQL_INSTALL = [
    """
    ALTER TABLE articles_article ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (
        array_to_tsvector(array_remove(string_to_array(search_text, ' '), ''))
    ) STORED
    """,
    "CREATE INDEX article_search_vector_idx ON articles_article USING gin (search_vector)",
]
POSTGRESQL_UNINSTALL = [
    "DROP INDEX IF EXISTS article_search_vector_idx",
    "ALTER TABLE articles_article DROP COLUMN IF EXISTS search_vector",
]
SQLITE_INSTALL = [
    # ascii: splits on ASCII spaces and punctuation only, so each stored term
    # (letters and digits of any script) is one token, as in PostgreSQL.
    # detail=none: only which article holds a term; no phrase queries needed.
    """
    CREATE VIRTUAL TABLE articles_article_search
    USING fts5(search_text, tokenize='ascii', detail='none')
    """,
    """
    INSERT INTO articles_article_search (rowid, search_text)
    SELECT id, search_text FROM articles_article
    """,
]
SQLITE_UNINSTALL = ["DROP TABLE IF EXISTS articles_article_search"]


def segment_existing_articles(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    articles = Article.objects.using(schema_editor.connection.alias)
    last = 0
    while True:
        rows = list(
            articles.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "title", "standfirst", "body")[:BATCH_SIZE]
        )
        if not rows:
            return
        batch = []
        for pk, title, standfirst, body in rows:
            terms = article_terms(title, standfirst, body)
            batch.append(Article(pk=pk, search_title=terms.title, search_text=terms.text))
        articles.bulk_update(batch, ["search_title", "search_text"])
        last = rows[-1][0]


def run(statements_by_vendor):
    def operation(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_roles"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="search_title",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="title search terms"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="article",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="search terms"),
            preserve_default=False,
        ),
        migrations.RunPython(segment_existing_articles, migrations.RunPython.noop),
        migrations.RunPython(
            run({"postgresql": POSTGRESQL_INSTALL, "sqlite": SQLITE_INSTALL}),
            run({"postgresql": POSTGRESQL_UNINSTALL, "sqlite": SQLITE_UNINSTALL}),
        ),
    ]
