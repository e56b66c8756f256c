"""
Bringing copy in and out: scraped reprint pages, RSS/Atom wire feeds and the
JSON Lines archive format.

    sources.py    where the bytes come from (files, folders, stdin, URLs) and
                  which encoding they are in
    fetch.py      http(s) fetching that refuses internal addresses
    formats.py    the three formats, parsed into `Item`s (or `Failure`s)
    importer.py   idempotent, batched, transactional writes and the summary
    exporter.py   the JSON Lines export
    admin_views.py  the admin import page

The management commands import_articles and export_articles and the admin
page are thin layers over `import_documents()` and `export_articles()`.
"""
