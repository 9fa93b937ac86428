"""Generated certificate documents for tests, rendered once per session with a real Chromium.

Use from any test module:

    from tests.certificates_fixture import generated_certificates_fixture  # noqa: F401

(the fixture's name is ``generated_certificates``; importing the ``_fixture`` function keeps ruff's F811 quiet
where a test takes ``generated_certificates`` as an argument; ``generated_certificates`` is the same object.)

    def test_something(generated_certificates):
        case = generated_certificates.case("en-frame-clean")
        data = generated_certificates.path(case).read_bytes()   # its own format; or .path(case, "png")

The cases are ``monitor.demo.certificates.test_cases()`` (eight documents: clean English and bilingual PNGs, a
text-layer PDF, a scanned PDF, a rotated noisy JPEG, stamp + watermark, a low-resolution JPEG, a product
photo); each case is the ground truth of what its document prints. ``generated_mismatch_certificates`` renders
``mismatch_pairs()`` (clean PNGs whose truth differs from a listing) the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from monitor.demo.certificates import CertificateCase, MismatchPair, mismatch_pairs, render, test_cases

__all__ = [
    "GeneratedCertificates",
    "generated_certificates",
    "generated_certificates_fixture",
    "generated_mismatch_certificates",
    "generated_mismatch_certificates_fixture",
]


@dataclass
class GeneratedCertificates:
    """A rendered directory: ``dir`` (with ``truth.json``), its ``cases`` and their files."""

    dir: Path
    cases: list[CertificateCase]
    files: dict[str, dict[str, Path]]
    pairs: list[MismatchPair] = field(default_factory=list)

    def path(self, case: CertificateCase | str, fmt: str | None = None) -> Path:
        """The file of ``case`` (or its id) in ``fmt``; its first format when None."""
        by_fmt = self.files[case if isinstance(case, str) else case.id]
        return by_fmt[fmt] if fmt else next(iter(by_fmt.values()))

    def case(self, case_id: str) -> CertificateCase:
        return next(c for c in self.cases if c.id == case_id)

    def by_format(self, fmt: str) -> Sequence[CertificateCase]:
        return [c for c in self.cases if fmt in self.files[c.id]]


def _render(cases: list[CertificateCase], directory: Path) -> GeneratedCertificates:
    try:
        result = render(cases, directory)
    except Exception as exc:  # no Chromium that Playwright can launch: skip, as the other browser tests do
        if "Executable doesn't exist" in str(exc) or "Failed to launch" in str(exc):
            pytest.skip(f"no Chromium to render certificates: {exc}")
        raise
    return GeneratedCertificates(dir=directory, cases=cases, files=result.files)


@pytest.fixture(scope="session", name="generated_certificates")
def generated_certificates_fixture(tmp_path_factory: pytest.TempPathFactory) -> GeneratedCertificates:
    """``test_cases()`` rendered once for the whole session (about 5 s)."""
    return _render(test_cases(), tmp_path_factory.mktemp("certificates"))


@pytest.fixture(scope="session", name="generated_mismatch_certificates")
def generated_mismatch_certificates_fixture(tmp_path_factory: pytest.TempPathFactory) -> GeneratedCertificates:
    """``mismatch_pairs()`` (match, holder, number, dates, standard, scope, expired) rendered once per session."""
    pairs = mismatch_pairs()
    generated = _render([p.case for p in pairs], tmp_path_factory.mktemp("certificate-mismatches"))
    generated.pairs = pairs
    return generated


#: The same fixtures under the names they are requested by (``from ... import generated_certificates`` works too).
generated_certificates = generated_certificates_fixture
generated_mismatch_certificates = generated_mismatch_certificates_fixture
