"""Change events: the transactional outbox every write records into (webhooks and
subscriptions read from it)."""
