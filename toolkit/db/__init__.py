"""The database machinery of the portal's requests: on SQLite, reads beside the writer.

- reads.py: which request's transaction only reads (GET, HEAD, OPTIONS), the middleware
  that says so, `writes_on_get` for the few views that write on a GET anyway.
- sqlite/: Django's SQLite backend, whose read requests begin DEFERRED.
- cache.py: Django's database cache, which a read request may find locked.
"""
