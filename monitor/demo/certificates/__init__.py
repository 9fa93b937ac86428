"""Generated certificate documents with their ground truth: test data for the certificate reader, the
benchmark's document set and the demo marketplace's certificate files.

HTML templates (``templates/``) are filled from a ``CertificateCase`` and rendered by a real Chromium into
PNG/JPEG screenshots, text-layer PDFs and scanned (picture-only) PDFs, then dressed with deterministic noise.
"""

from monitor.demo.certificates.case import FORMATS, TEMPLATES, CertificateCase
from monitor.demo.certificates.cases import (
    REFERENCE_DAY,
    Listing,
    MismatchPair,
    bench_cases,
    listing_for,
    make_case,
    mismatch_pairs,
    test_cases,
)
from monitor.demo.certificates.render import RenderResult, load_truth, render

__all__ = [
    "FORMATS",
    "REFERENCE_DAY",
    "TEMPLATES",
    "CertificateCase",
    "Listing",
    "MismatchPair",
    "RenderResult",
    "bench_cases",
    "listing_for",
    "load_truth",
    "make_case",
    "mismatch_pairs",
    "render",
    "test_cases",
]
