"""
The database side of search, one interface with a PostgreSQL and an SQLite
implementation. Both index exactly the terms that articles.search.tokenize
stored in `Article.search_text`, so both find the same articles.

- PostgreSQL: `articles_article.search_vector`, a stored generated tsvector
  column made from those terms verbatim (array_to_tsvector, no text-search
  parser or dictionary in between), with a GIN index. Queries are tsquery
  literals ('人工智能' & '监管', '税':*), again without a parser.
- SQLite: the FTS5 table `articles_article_search` (rowid = article id) over
  the same terms. Its `ascii` tokenizer splits on ASCII spaces and punctuation
  only, so each stored term stays one token, exactly as in PostgreSQL. The
  table is kept in step from Python, not by triggers: Django rebuilds SQLite
  tables for many schema changes and silently drops their triggers.

Both structures are created by migration 0004_search. Ordering is not done
here: every backend only says *which* rows match (see articles.search.query).
"""

import contextlib

from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connections, transaction
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

ARTICLE_TABLE = "articles_article"
SQLITE_FTS_TABLE = "articles_article_search"
POSTGRESQL_VECTOR_COLUMN = "search_vector"
POSTGRESQL_VECTOR_INDEX = "article_search_vector_idx"


class SearchBackend:
    """What the search needs from a database."""

    vendor = None

    def __init__(self, connection):
        self.connection = connection

    def store(self, rows):
        """
        Write `(article id, title terms, all terms, plain text)` rows to the
        article table and bring the index in step with them.
        """
        raise NotImplementedError

    def forget(self, ids):
        """Drop deleted articles from the index."""

    def forget_missing(self):
        """Drop every article that no longer exists from the index."""

    def bulk_indexing(self, *, offline=False):
        """
        A context for storing many batches (rebuilds, large imports). Offline:
        the index may be unusable (searches slow) until the context ends.
        """
        return contextlib.nullcontext()

    def matching(self, queryset, terms):
        """`queryset` narrowed to the articles whose index has every term (strings)."""
        raise NotImplementedError

    def index_size(self):
        """Bytes used by the index, by part (for the benchmark and the command)."""
        raise NotImplementedError


class PostgreSQLBackend(SearchBackend):
    vendor = "postgresql"

    def store(self, rows):
        if not rows:
            return
        ids, titles, texts, plains = zip(*rows, strict=True)
        # One statement per batch; the generated column and its GIN index follow.
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"""
                UPDATE {ARTICLE_TABLE} AS article
                SET search_title = batch.title, search_text = batch.text,
                    search_plain = batch.plain
                FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[])
                    AS batch(id, title, text, plain)
                WHERE article.id = batch.id
                """,
                [list(ids), list(titles), list(texts), list(plains)],
            )

    @contextlib.contextmanager
    def bulk_indexing(self, *, offline=False):
        if offline:
            # Build the GIN index once at the end: several times faster than
            # keeping it up to date, but searches scan the table meanwhile.
            # Inside a transaction, deferred foreign-key checks would forbid
            # the index changes: run them now (what COMMIT would do anyway).
            self.connection.check_constraints()
            with self.connection.cursor() as cursor:
                cursor.execute(f"DROP INDEX IF EXISTS {POSTGRESQL_VECTOR_INDEX}")
            try:
                yield
            finally:
                self.connection.check_constraints()
                with self.connection.cursor() as cursor:
                    cursor.execute("SET maintenance_work_mem = '512MB'")
                    cursor.execute(
                        f"CREATE INDEX {POSTGRESQL_VECTOR_INDEX} ON {ARTICLE_TABLE} "
                        f"USING gin ({POSTGRESQL_VECTOR_COLUMN})"
                    )
                    cursor.execute("RESET maintenance_work_mem")
            return
        # GIN takes new entries into a pending list and merges it into the
        # index when the list is full: a larger list merges less often (about
        # twice as fast at 1,000 articles a batch). Merge what is left at the
        # end, so that searches need not scan a long pending list.
        with self.connection.cursor() as cursor:
            cursor.execute("SET gin_pending_list_limit = '64MB'")
        try:
            yield
        finally:
            with self.connection.cursor() as cursor:
                cursor.execute("RESET gin_pending_list_limit")
                cursor.execute(
                    "SELECT gin_clean_pending_list(%s::regclass)", [POSTGRESQL_VECTOR_INDEX]
                )

    @staticmethod
    def tsquery(terms):
        # Terms are runs of letters and digits (see tokenize.TERM), so they
        # never contain a quote or a backslash; escape them anyway.
        def literal(term):
            return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"

        return " & ".join(literal(term) for term in terms)

    def matching(self, queryset, terms):
        # The tsquery comes from a scalar subquery, so the planner does not
        # estimate how many rows match and keeps to the GIN index. With the
        # estimate (37 % of the rows for a common character or pair) it
        # chose a sequential scan, which reads every article's tsvector
        # (about 2,000 terms each): ten times slower at 6,000 articles, and
        # growing with the table.
        condition = RawSQL(
            f'"{ARTICLE_TABLE}"."{POSTGRESQL_VECTOR_COLUMN}" @@ (SELECT %s::tsquery)',
            [self.tsquery(terms)],
            output_field=BooleanField(),
        )
        return queryset.filter(condition)

    def index_size(self):
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"""
                SELECT pg_relation_size(%s),
                       coalesce(sum(pg_column_size({POSTGRESQL_VECTOR_COLUMN})), 0),
                       coalesce(sum(pg_column_size(search_text)), 0)
                           + coalesce(sum(pg_column_size(search_title)), 0)
                FROM {ARTICLE_TABLE}
                """,
                [POSTGRESQL_VECTOR_INDEX],
            )
            gin, vectors, terms = cursor.fetchone()
        return {"gin index": gin, "tsvector column": int(vectors), "term columns": int(terms)}


class SQLiteBackend(SearchBackend):
    vendor = "sqlite"

    def store(self, rows):
        if not rows:
            return
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {ARTICLE_TABLE} SET search_title = %s, search_text = %s, "
                "search_plain = %s WHERE id = %s",
                [(title, text, plain, pk) for pk, title, text, plain in rows],
            )
            cursor.executemany(
                f"DELETE FROM {SQLITE_FTS_TABLE} WHERE rowid = %s", [(row[0],) for row in rows]
            )
            cursor.executemany(
                f"INSERT INTO {SQLITE_FTS_TABLE} (rowid, search_text) VALUES (%s, %s)",
                [(pk, text) for pk, _, text, _ in rows],
            )

    def forget(self, ids):
        with self.connection.cursor() as cursor:
            cursor.executemany(
                f"DELETE FROM {SQLITE_FTS_TABLE} WHERE rowid = %s", [(pk,) for pk in ids]
            )

    def forget_missing(self):
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {SQLITE_FTS_TABLE} WHERE rowid NOT IN (SELECT id FROM {ARTICLE_TABLE})"
            )

    @staticmethod
    def match_expression(terms):
        # FTS5 strings in double quotes are taken literally. Terms never
        # contain a double quote (see tokenize.TERM).
        def literal(term):
            return '"' + term.replace('"', '""') + '"'

        return " AND ".join(literal(term) for term in terms)

    def matching(self, queryset, terms):
        ids = RawSQL(
            f"SELECT rowid FROM {SQLITE_FTS_TABLE} WHERE {SQLITE_FTS_TABLE} MATCH %s",
            [self.match_expression(terms)],
        )
        return queryset.filter(pk__in=ids)

    def index_size(self):
        with self.connection.cursor() as cursor:
            try:
                cursor.execute(
                    "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name LIKE %s",
                    [f"{SQLITE_FTS_TABLE}%"],
                )
            except DatabaseError:  # SQLite built without the dbstat table
                return {}
            return {"fts5 tables": cursor.fetchone()[0]}


BACKENDS = {backend.vendor: backend for backend in (PostgreSQLBackend, SQLiteBackend)}


def get_backend(using="default"):
    connection = connections[using]
    try:
        return BACKENDS[connection.vendor](connection)
    except KeyError:
        raise ImproperlyConfigured(
            f"Search supports PostgreSQL and SQLite, not {connection.vendor}."
        ) from None
