"""Transactional outbox for Celery tasks: a task enqueued with `outbox.services.enqueue`
is a database row written in the caller's transaction, published to the broker after
commit, and published again by beat while no worker has run it (docs/operations.md,
"Tasks enqueued while the broker is down")."""
