"""DABS submissions: the entity, its dates, its jobs, its statuses and who may do what to it.

Pure domain rules only (stdlib and attrs); persistence and HTTP live in the adapters.
"""
