"""Certificate registries: authoritative records to check a claimed certificate against.

- ``LocalRegistry`` / ``import_csv``: the operator's own registry imported from CSV files.
- ``IafRegistry`` / ``IafCertSearchClient``: the IAF CertSearch Verification API (cached, credit-aware).

Both implement monitor.verify.findings.Registry and return ``CertificateRecord``s.
"""

from monitor.registries.iaf import CompanyQuery, IafApiError, IafCertSearchClient, IafRegistry
from monitor.registries.local import ImportResult, LocalRegistry, RowError, import_csv
from monitor.registries.normalize import holder_key, number_key, standard_key
from monitor.registries.records import CertificateRecord

__all__ = [
    "CertificateRecord",
    "CompanyQuery",
    "IafApiError",
    "IafCertSearchClient",
    "IafRegistry",
    "ImportResult",
    "LocalRegistry",
    "RowError",
    "holder_key",
    "import_csv",
    "number_key",
    "standard_key",
]
