"""Supplier page, snapshot pages, claim diffs and the evidence routes (stored pages, sandboxed)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from monitor.changes import diff_claims
from monitor.verify import all_rules
from monitor.web.context import MAX_ROW_ID, RowId, not_found, render, web_state
from monitor.web.security import EVIDENCE_CSP
from scrapers.claims import ClaimsDocument
from scrapers.documents.attach import documents_of
from scrapers.documents.sniff import sniff
from storage import (
    check_evidence_html,
    document_blob,
    document_thumbnail,
    finding_history,
    get_snapshot,
    get_supplier,
    list_checks,
    list_snapshots,
    snapshot_html,
    snapshot_screenshot,
)
from storage.dashboard import finding_state
from storage.models import StoredFinding

router = APIRouter()
SupplierId = Annotated[str, Path(max_length=200)]
SnapshotId = RowId
DocumentHash = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]


def rule_info(code: str) -> dict[str, str]:
    """Title, plain-words explanation and source of a finding's rule (unknown codes still render)."""
    rule = all_rules().get(code)
    if rule is None:
        return {"title": code, "explanation": "", "source": ""}
    return {"title": rule.title, "explanation": rule.explanation, "source": rule.source}


def _same_cert(claimed: dict[str, Any] | None, cert: dict[str, Any]) -> bool:
    if not claimed:
        return False
    if claimed == cert:
        return True
    keys = ("name", "standard", "number")
    return all(claimed.get(k) == cert.get(k) for k in keys)


def certifications_with_findings(claims: dict[str, Any], open_rows: list[StoredFinding]) -> tuple[list[Any], list[Any]]:
    """Each certification of the claims with the open findings about it and its documents, and the findings
    about none."""
    used: set[int] = set()
    certs = []
    documents = _documents_by_certification(claims)
    for index, cert in enumerate(claims.get("certifications") or []):
        mine = [f for f in open_rows if _same_cert(f.certification, cert)]
        used.update(f.id for f in mine if f.id is not None)
        certs.append(
            {"cert": cert, "findings": [(f, rule_info(f.code)) for f in mine], "documents": documents.get(index, [])}
        )
    other = [(f, rule_info(f.code)) for f in open_rows if f.id not in used]
    return certs, other


def _documents_by_certification(claims: dict[str, Any]) -> dict[int, list[dict[str, Any]]]:
    """The stored documents (as JSON) of each certification index, the way verification tied them."""
    if not claims.get("documents"):
        return {}
    document = ClaimsDocument.model_validate(claims)
    found: dict[int, list[dict[str, Any]]] = {}
    for index in range(len(document.certifications)):
        docs = documents_of(document, index)
        if docs:
            found[index] = [doc.model_dump(mode="json") for doc in docs]
    return found


def untied_documents(claims: dict[str, Any], certs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Documents the page links that belong to none of its certifications (shown on their own)."""
    shown = {doc["url"] for item in certs for doc in item["documents"]}
    return [doc for doc in claims.get("documents") or [] if isinstance(doc, dict) and doc.get("url") not in shown]


@router.get("/suppliers/{supplier_id}", response_class=HTMLResponse, include_in_schema=False)
def supplier_page(request: Request, supplier_id: SupplierId) -> HTMLResponse:
    """Everything known about one supplier: claims with findings, history, evidence."""
    db = web_state(request).db
    supplier = get_supplier(db, supplier_id)
    if supplier is None:
        raise not_found(f"supplier {supplier_id!r}")
    snapshots = list_snapshots(db, supplier_id, limit=200)
    checks = list_checks(db, supplier_id, limit=100)
    history = finding_history(db, supplier_id)
    open_rows = [f for f in history if f.resolved_at is None]
    latest = snapshots[0] if snapshots else None
    claims = latest.claims if latest else {}
    certs, other = certifications_with_findings(claims, open_rows)
    states = {f.id: finding_state(db, f) for f in open_rows}
    return render(
        request,
        "supplier.html",
        {
            "supplier": supplier,
            "latest": latest,
            "claims": claims,
            "certs": certs,
            "other_documents": untied_documents(claims, certs),
            "other_findings": other,
            "states": states,
            "resolved": [f for f in history if f.resolved_at is not None],
            "snapshots": snapshots,
            "checks": checks,
            "has_screenshot": latest is not None and latest.screenshot_blob is not None,
        },
    )


@router.get("/snapshots/{snapshot_id}", response_class=HTMLResponse, include_in_schema=False)
def snapshot_page(request: Request, snapshot_id: SnapshotId) -> HTMLResponse:
    """One stored snapshot: its claims, and the page it was read from in a sandboxed frame."""
    snapshot = get_snapshot(web_state(request).db, snapshot_id)
    if snapshot is None:
        raise not_found(f"snapshot {snapshot_id}")
    supplier = get_supplier(web_state(request).db, snapshot.supplier_id)
    return render(request, "snapshot.html", {"snapshot": snapshot, "supplier": supplier})


@router.get("/suppliers/{supplier_id}/diff", response_class=HTMLResponse, include_in_schema=False)
def diff_page(
    request: Request,
    supplier_id: SupplierId,
    a: Annotated[int, Query(ge=1, description="older snapshot id")],
    b: Annotated[int, Query(ge=1, description="newer snapshot id")],
) -> HTMLResponse:
    """Claim by claim, what changed between two snapshots of the supplier (field: from -> to)."""
    db = web_state(request).db
    supplier = get_supplier(db, supplier_id)
    if supplier is None:
        raise not_found(f"supplier {supplier_id!r}")
    old = get_snapshot(db, a) if a <= MAX_ROW_ID else None
    new = get_snapshot(db, b) if b <= MAX_ROW_ID else None
    if old is None or old.supplier_id != supplier_id:
        raise not_found(f"snapshot {a} of {supplier_id!r}")
    if new is None or new.supplier_id != supplier_id:
        raise not_found(f"snapshot {b} of {supplier_id!r}")
    changes = diff_claims(ClaimsDocument.model_validate(old.claims), ClaimsDocument.model_validate(new.claims))
    return render(
        request,
        "diff.html",
        {"supplier": supplier, "old": old, "new": new, "changes": [c.to_dict() for c in changes]},
    )


def _evidence_headers(download: str | None = None) -> dict[str, str]:
    headers = {"Content-Security-Policy": EVIDENCE_CSP, "X-Content-Type-Options": "nosniff"}
    if download:
        headers["Content-Disposition"] = f'attachment; filename="{download}"'
    return headers


@router.get("/evidence/snapshots/{snapshot_id}/page", include_in_schema=False)
def evidence_page(request: Request, snapshot_id: SnapshotId) -> Response:
    """The stored page for <iframe sandbox>: CSP sandbox gives it an opaque origin with no scripts."""
    html = snapshot_html(web_state(request).db, snapshot_id)
    if html is None:
        raise not_found(f"stored page of snapshot {snapshot_id}")
    return Response(html, media_type="text/html; charset=utf-8", headers=_evidence_headers())


@router.get("/evidence/snapshots/{snapshot_id}/page.txt", include_in_schema=False)
def evidence_text(request: Request, snapshot_id: SnapshotId) -> Response:
    """The stored page's source as a text/plain download (never rendered as HTML)."""
    html = snapshot_html(web_state(request).db, snapshot_id)
    if html is None:
        raise not_found(f"stored page of snapshot {snapshot_id}")
    return Response(
        html, media_type="text/plain; charset=utf-8", headers=_evidence_headers(f"snapshot-{snapshot_id}.html.txt")
    )


@router.get("/evidence/snapshots/{snapshot_id}/screenshot.png", include_in_schema=False)
def evidence_screenshot(request: Request, snapshot_id: SnapshotId) -> Response:
    png = snapshot_screenshot(web_state(request).db, snapshot_id)
    if png is None:
        raise not_found(f"screenshot of snapshot {snapshot_id}")
    return Response(png, media_type="image/png", headers=_evidence_headers())


@router.get("/evidence/checks/{check_id}/page.txt", include_in_schema=False)
def check_evidence_text(request: Request, check_id: RowId) -> Response:
    """What a blocked/failed check saw (captcha page...), as text only."""
    html = check_evidence_html(web_state(request).db, check_id)
    if html is None:
        raise not_found(f"stored page of check {check_id}")
    return Response(
        html, media_type="text/plain; charset=utf-8", headers=_evidence_headers(f"check-{check_id}.html.txt")
    )


@router.get("/evidence/documents/{sha256}", include_in_schema=False)
def evidence_document(request: Request, sha256: DocumentHash) -> Response:
    """A stored certificate document: pictures shown inline, PDFs downloaded (never run in this origin)."""
    data = document_blob(web_state(request).db, sha256)
    media_type = sniff(data) if data is not None else None
    if data is None or media_type is None:
        raise not_found(f"certificate document {sha256[:12]}")
    if media_type == "application/pdf":
        return Response(data, media_type=media_type, headers=_evidence_headers(f"certificate-{sha256[:12]}.pdf"))
    return Response(data, media_type=media_type, headers=_evidence_headers())


@router.get("/evidence/documents/{sha256}/thumbnail.png", include_in_schema=False)
def evidence_document_thumbnail(request: Request, sha256: DocumentHash) -> Response:
    png = document_thumbnail(web_state(request).db, sha256)
    if png is None:
        raise not_found(f"thumbnail of certificate document {sha256[:12]}")
    return Response(png, media_type="image/png", headers=_evidence_headers())
