"""The stores behind a request: PostgreSQL's unit of work (transaction.py) and its streaming replica
(replica.py), Redis and RQ (queue.py), and the values remembered between requests: what each reads
and the triggers derived from it (caches.py), the catalog's lists (catalog.py)."""
