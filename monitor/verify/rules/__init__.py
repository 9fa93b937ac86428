"""Rule modules; importing this package registers every rule (one module per family of rules)."""
