"""Subscription.changes: committed change events, as each subscriber may see them."""
