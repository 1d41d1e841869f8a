"""Backups of the portal: the database and the media files, verified, and their restore."""
