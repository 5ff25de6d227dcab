"""Readers' rights over their data: the subject-access export (erasure lives with the review
state it changes, in review/service.py)."""
