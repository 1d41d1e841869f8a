"""Views of the task forces, by noun; each module lists its own URL patterns."""
