"""Change notices fanned out to this process's subscribers: the broker the outbox publishes to."""
