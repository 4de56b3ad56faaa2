"""Shared low-level pieces every Panless service may import: the store, redaction, PAN arithmetic,
settings, package data paths and the demo credentials. Nothing here imports a Flask app module."""
