"""Encrypted, consistent online backups of an instance, and restores into an empty one."""
