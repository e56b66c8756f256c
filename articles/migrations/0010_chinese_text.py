"""
Chinese text (issue 12):

- Article.original_text: an imported reprint page as received, before its
  scraping debris was cleaned, for editors to compare.
- Search by characters: the index terms become characters, character pairs
  and whole non-Chinese words (articles.search.tokenize), and the normalised
  text is stored in search_plain for phrase checks. Every article is
  segmented again here (`manage.py rebuild_search_index` does the same at
  any time); PostgreSQL's generated tsvector follows search_text by itself,
  SQLite's FTS5 table is refilled.
"""

from django.db import migrations, models

from articles.search.tokenize import article_terms

BATCH_SIZE = 500


def segment_again(apps, schema_editor):
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
            break
        batch = []
        for pk, title, standfirst, body in rows:
            terms = article_terms(title, standfirst, body)
            batch.append(
                Article(
                    pk=pk,
                    search_title=terms.title,
                    search_text=terms.text,
                    search_plain=terms.plain,
                )
            )
        articles.bulk_update(batch, ["search_title", "search_text", "search_plain"])
        last = rows[-1][0]
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DELETE FROM articles_article_search")
        schema_editor.execute(
            "INSERT INTO articles_article_search (rowid, search_text) "
            "SELECT id, search_text FROM articles_article"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0009_wire_source_licence"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="original_text",
            field=models.TextField(
                blank=True,
                editable=False,
                help_text="An imported reprint page as it arrived, before its scraping debris was cleaned: compare it with the text to check what the cleaning removed.",
                verbose_name="text as received",
            ),
        ),
        migrations.AddField(
            model_name="article",
            name="search_plain",
            field=models.TextField(blank=True, editable=False, verbose_name="search text"),
        ),
        migrations.RunPython(segment_again, migrations.RunPython.noop),
    ]
