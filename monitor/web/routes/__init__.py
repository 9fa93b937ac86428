"""Route modules, one per page family; each exposes ``router``."""
