"""
Search that understands Chinese, identical on PostgreSQL and SQLite.

- tokenize: text to terms (rjieba, search mode for documents, plain mode for
  queries, HMM off, the newsroom dictionary userdict.txt)
- backends: the one database interface, PostgreSQL (tsvector + GIN) and SQLite (FTS5)
- index: keeping the terms and the index in step (saves, articles_changed, deletions)
- query: which published articles match, in which order
- highlight: escaped titles and snippets with <mark>
- forms, views: GET /search/ (articles:search)
"""
