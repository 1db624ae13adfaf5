"""Deadline extensions (đề nghị gia hạn), one flow for tasks and remediation actions: the unit
requests, the coordinator forwards with an opinion (unless the settings skip that step), a leader
decides. services.py holds the state changes, queries.py the reads, forms.py the shared fields."""
