"""Rule modules; importing this package registers every rule (one module per family of rules)."""

from monitor.verify.rules import bodies, completeness, registry, schemes, validity, wording

__all__ = ["bodies", "completeness", "registry", "schemes", "validity", "wording"]
