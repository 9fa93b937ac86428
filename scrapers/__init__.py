"""Getting supplier pages and reading claims out of them. Knows nothing of the database."""
