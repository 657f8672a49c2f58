"""Webhooks: the worker that delivers the outbox, and the admin page of endpoints."""
