"""
The content API: read-only JSON of published articles, topics and tags for
apps, mini-programs and partners, at /api/v1/ (django-ninja).

- models, keys, admin: partner keys, made and revoked in the desk; only a
  hash of each key is stored
- access: who is calling (anonymous or a partner) and what that unlocks
- throttling: rate limits per key and per address (cache-backed, fail open)
- pagination: cursors over (published_at, id) and other unique orders
- schemas, endpoints: the API itself; urls mounts it with its schema and docs
- media: images for partners (redistributable ones only) and its extension point
"""
