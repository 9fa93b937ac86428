"""Rule modules; importing this package registers every rule (one module per family of rules)."""

from monitor.verify.rules import bodies, completeness, registry, schemes, validity, wording

# After wording and validity: it extends their ISO_AS_CERTIFIER, IAF_AS_ACCREDITOR and WITHDRAWN_EDITION.
from monitor.verify.rules import documents  # isort: skip

__all__ = ["bodies", "completeness", "documents", "registry", "schemes", "validity", "wording"]
