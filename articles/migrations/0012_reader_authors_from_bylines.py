"""
Existing bylines become authors: a byline that names only people ("记者 张三
李四") credits an author per name, made on first sight with the title the
byline gave; any other byline ("新华社记者") stays text only. Bylines are kept
(feeds and the API use them). Reversing removes the credits and authors made here.
"""

from django.db import migrations

from articles.authors import parse_byline
from articles.text import ascii_slug

BATCH = 2000


def authors_from_bylines(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Author = apps.get_model("articles", "Author")
    ArticleAuthor = apps.get_model("articles", "ArticleAuthor")
    authors = {}
    for author in Author.objects.order_by("pk"):
        authors.setdefault(author.name, author)
    slugs = set(Author.objects.values_list("slug", flat=True))

    def author_for(name, title):
        if name not in authors:
            base = (ascii_slug(name) or "author")[:90]
            slug, n = base, 2
            while slug in slugs:
                slug, n = f"{base}-{n}", n + 1
            slugs.add(slug)
            authors[name] = Author.objects.create(name=name, slug=slug, title=title)
        return authors[name]

    links = []
    rows = Article.objects.exclude(byline="").values_list("pk", "byline").order_by("pk")
    for pk, byline in rows.iterator(chunk_size=BATCH):
        people = parse_byline(byline)
        if not people:
            continue
        credited = list(dict.fromkeys(author_for(name, title) for name, title in people))
        links += [
            ArticleAuthor(article_id=pk, author=author, position=position)
            for position, author in enumerate(credited)
        ]
        if len(links) >= BATCH:
            ArticleAuthor.objects.bulk_create(links, ignore_conflicts=True)
            links = []
    ArticleAuthor.objects.bulk_create(links, ignore_conflicts=True)


def remove_migrated_authors(apps, schema_editor):
    apps.get_model("articles", "ArticleAuthor").objects.all().delete()
    apps.get_model("articles", "Author").objects.filter(user__isnull=True, bio="").delete()


class Migration(migrations.Migration):
    dependencies = [("articles", "0011_reader_authors")]

    operations = [migrations.RunPython(authors_from_bylines, remove_migrated_authors)]
