"""Running the app on one machine without outside services: the embedded PostgreSQL
(embedded_db.py), the processes `flask serve` starts and watches (runner.py) and its local TLS
certificate (local_tls.py)."""
