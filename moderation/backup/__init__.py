"""Backups of the database: a consistent copy while the service runs, its manifest, verify, restore."""
