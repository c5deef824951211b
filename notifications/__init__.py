"""Reminder planning and delivery (Web Push, in-app inbox).

This package must not import anything from the web layer (`backend`); the backend imports it.
"""
