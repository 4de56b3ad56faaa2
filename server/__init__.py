"""Panless merchant app."""
