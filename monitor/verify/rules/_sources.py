"""Short citations of the sources behind the rules (cert_rules.md §8 keys), so a finding can say why it fires."""

from __future__ import annotations

S1 = (
    "ISO: 'a company or organization cannot be certified by ISO' (https://mbs.isolutions.iso.org/ru/certification.html)"
)
S1_SAY = "ISO: say 'ISO 9001:2015 certified', not 'ISO certified' (iso.org certification page)"
S2 = "ISO help: ISO does not issue certificates (https://help.iso.org/en/articles/602408)"
S3 = (
    "ISO: its logo may not be used in connection with management-system certification "
    "(iso.org 'ISO's logo not for use')"
)
S4 = (
    "ISO brochure 'Publicizing your ISO 9001/ISO 14001 certification': certification is not a product certification "
    "or guarantee (https://www.iso.org/news/2003/06/Ref859.html)"
)
S5 = "ISO/IEC 17021-1 §8.2.2: content of a certification document (https://european-accreditation.org/?p=43078)"
S6 = "ISO/IEC 17021-1 §9.1.3: three-year certification cycle (https://www.isop.solutions/isop-platform)"
S7 = "ISO/IEC 17021-1 rules on references to certification on products and packaging (https://iqs-ltd.com/mark-governance-policy/)"
S8 = "IAF CertSearch verification API (https://support.iafcertsearch.org/verification-users-api-developer-guide)"
S11 = "IAF CertSearch field glossary: certification status (https://support.iafcertsearch.org/docs/field-name-glossary)"
S12 = "IAF transition resolutions (https://iaf.nu/resolutions/iaf-communique/)"
S15 = "IAF FAQ on the OHSAS 18001 -> ISO 45001 migration (https://iaffaq.com/2020/04/03/q15)"
S16 = "IATF transition update and USI (https://www.iatfglobaloversight.org/news/13-sept-2018-iatf-16949-transition-update/)"
S17 = "NQA ISO 13485:2016 transition (https://www.nqa.com/en-gb/transitions/iso-13485-2016)"
S18 = "ISO 22000:2018 transition (socotec-certification-international.sg)"
S19 = "ISO/IEC 27001:2022 transition, IAF MD 26 (https://www.cpg.global/transition-policy/)"
S20 = "European Commission: CE marking is the manufacturer's declaration (https://single-market-economy.ec.europa.eu/single-market/ce-marking/manufacturers_fi)"
S21 = "21 CFR 807.39: registration 'does not in any way denote approval' (https://ecfr.okayd.com/browse/21/807/807.39)"
S24 = "amfori: 'amfori BSCI is not a certification' (amfori FAQ, quoted at https://www.52by.com/article/192306)"
S25 = "Sedex: 'Neither SMETA nor Sedex membership is a certification' (https://www.business-humanrights.org/)"
S26 = (
    "FSC licence and certificate codes, search.fsc.org (https://www.fsc.be/nl-be/fsc-label-garantie/controle-misbruik)"
)
S29 = "UL File Number 'E' + six digits, UL Product iQ (https://engineerfix.com/how-to-search-an-underwriters-laboratories-issue-number)"
S31 = "Alibaba.com: how suppliers are verified (https://reads.alibaba.com/how-are-alibaba-com-suppliers-verified/)"
S32 = "COFRAC: an accredited certificate bears the accreditation mark or refers to it (http://www.cofrac.fr/en/cofrac/reconnaissance.php)"
S33 = "IAF: members and IAF MLA signatories; IAF itself accredits no one (https://iaf.nu/en/faq/who-are-the-members-of-iaf/)"
DATA_CB = "project data monitor/verify/data/certification_bodies.csv (each row sourced)"
DATA_AB = "project data monitor/verify/data/accreditation_bodies.csv (iaf_mla_status sourced per row)"
DATA_WITHDRAWN = "project data monitor/verify/data/withdrawn_editions.csv (dated IAF/CB transition notices)"


def cite(*parts: str) -> str:
    """Sources joined for a rule's ``source``."""
    return "; ".join(parts)


S13_NOTE = (
    "operator-set ISO 9001:2015 transition end; IAF had not decided it in the sourced material "
    "(https://amtivo.com/uk/standards/iso-9001/technical/revisions)"
)
