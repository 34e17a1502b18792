"""Automatic persisted queries and trusted documents (API.md, "Persisted queries")."""
