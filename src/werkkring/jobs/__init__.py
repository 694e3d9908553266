"""Batch jobs that run on Ray (optional extra ``werkkring[ray]``, imported lazily)."""
