"""Persistence: tables, migrations, the durable queue and the problem log."""
