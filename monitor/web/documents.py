"""How the dashboard shows a certificate document's reading: the fields in a buyer's order, with confidence."""

from __future__ import annotations

from typing import Any

#: (key on the reading, label shown) in the order a buyer checks a certificate.
READ_FIELDS: tuple[tuple[str, str], ...] = (
    ("holder", "Holder"),
    ("holder_other_names", "Also named"),
    ("address", "Address"),
    ("standard", "Standard"),
    ("edition", "Edition"),
    ("number", "Number"),
    ("scope", "Scope"),
    ("issuer", "Issued by"),
    ("accreditation", "Accreditation"),
    ("first_issued", "First issued"),
    ("issued", "Issued"),
    ("valid_until", "Valid until"),
)

#: Field names as ``Certification.from_document`` records them, with the label the certificate table uses.
FILLED_LABELS: dict[str, str] = {
    "number": "number",
    "issuer": "issuer",
    "valid_from": "start date",
    "valid_until": "expiry date",
    "edition": "edition",
    "scope": "scope",
    "accreditation_body": "accreditation body",
}


def document_fields(reading: dict[str, Any]) -> list[tuple[str, str, float]]:
    """(label, value, confidence) for every field the reader found; lists become one row per value."""
    rows: list[tuple[str, str, float]] = []
    for key, label in READ_FIELDS:
        value = reading.get(key)
        values = value if isinstance(value, list) else [value]
        for item in values:
            if isinstance(item, dict) and item.get("value") not in (None, ""):
                rows.append((label, str(item["value"]), float(item.get("confidence") or 0.0)))
    return rows


def confidence_band(confidence: float) -> str:
    """high / medium / low, for colouring: the thresholds a reader of the dashboard can act on."""
    if confidence >= 0.85:
        return "high"
    return "medium" if confidence >= 0.6 else "low"
