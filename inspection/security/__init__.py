"""Who may do what and what is kept of it: the permission policy (permissions.py) and which rows a
user sees (scoping.py), the HTTP hardening (hardening.py: headers, cookies), rate limits
(ratelimit.py), refused access recorded (security_events.py), the hash-chained audit trail
(audit.py) and its head sent off the server every day (anchors.py)."""
