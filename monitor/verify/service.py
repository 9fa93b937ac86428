"""Verification inside a check: judge an ok page's claims and hand the findings to the check's transaction.

Findings are re-evaluated on every ok check, changed or not: a certificate expires while its page stays
the same. Registries are built from config once and asked only for what the rules need.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from datetime import date
from typing import Any

from monitor.config import Config
from monitor.registries import IafCertSearchClient, IafRegistry, LocalRegistry
from monitor.verify import Finding, Registry, settings_from, verify
from monitor.verify.findings import identities
from scrapers.claims import ClaimsDocument
from storage import Database, registry_sources


class ClaimJudge:
    """Judges claims with the rules and the operator's registries; the stored form goes with the check."""

    def __init__(self, config: Config, db: Database) -> None:
        self.config = config
        self.db = db
        self.settings = settings_from(config.verify)
        registries = config.registries
        self._local = LocalRegistry(db) if registries.local and registry_sources(db) else None
        self._iaf_client: IafCertSearchClient | None = None
        if registries.iaf_certsearch and os.environ.get(registries.iaf_api_key_env):
            self._iaf_client = IafCertSearchClient(
                base_url=registries.iaf_base_url,
                db=db,
                ttl=registries.iaf_cache_ttl,
                api_key_env=registries.iaf_api_key_env,
            )

    def registries_for(self, claims: ClaimsDocument) -> list[Registry]:
        found: list[Registry] = [self._local] if self._local else []
        if self._iaf_client is not None:
            country = claims.supplier.country or self.config.registries.iaf_default_country
            found.append(IafRegistry(self._iaf_client, default_country=country))
        return found

    def judge(self, claims: ClaimsDocument, today: date, affiliates: Sequence[str] = ()) -> list[Finding]:
        """Findings for one page; ``affiliates`` are the supplier's known group companies (config)."""
        return verify(
            claims, today=today, settings=self.settings, registries=self.registries_for(claims), affiliates=affiliates
        )

    def rows(self, findings: list[Finding], claims: ClaimsDocument) -> list[dict[str, Any]]:
        """The stored form of one check's findings (see storage.record_check's ``findings``)."""
        return [finding_row(f, claims, key) for f, key in zip(findings, identities(findings, claims), strict=True)]


def finding_row(finding: Finding, claims: ClaimsDocument, identity: str) -> dict[str, Any]:
    """The stored form: the finding plus the claim it is about, as it read at the time."""
    certification = statement = None
    if finding.certification is not None and finding.certification < len(claims.certifications):
        certification = claims.certifications[finding.certification].model_dump(mode="json")
    if finding.statement is not None and finding.statement < len(claims.statements):
        statement = claims.statements[finding.statement].text
    return {
        # Unique per page: the same wording on two pages of one supplier is two findings.
        "identity": f"{identity}@{hashlib.sha256(claims.source.url.encode()).hexdigest()[:8]}",
        "code": finding.code,
        "severity": finding.severity.value,
        "message": finding.message,
        "evidence": finding.evidence,
        "rule_source": finding.rule_source,
        "certification": certification,
        "statement": statement,
    }
