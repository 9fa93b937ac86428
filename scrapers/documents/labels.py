"""The words certificates put before their fields, in English and Chinese, and the names of certification and
accreditation bodies. Patterns only: fields.py decides what to do with them."""

from __future__ import annotations

import re

__all__ = [
    "ACCREDITATION_MARKS",
    "ADDRESS_WORDS",
    "CERTIFY_INTRO",
    "CJK_COMPANY",
    "DATE_LABELS",
    "FIELD_LABELS",
    "ISSUER_WORDS",
    "KNOWN_BODIES",
    "LATIN_COMPANY_SUFFIX",
]

_I = re.IGNORECASE


def _rx(pattern: str, flags: int = _I) -> re.Pattern[str]:
    """A label pattern whose spaces are optional: PP-OCR often drops the spaces of English ("RegistrationNo.")."""
    return re.compile(pattern.replace(r"\s+", r"\s*"), flags)


#: Labels of text fields, matched at the start of a line or of a cell. Longest alternatives first.
FIELD_LABELS: dict[str, re.Pattern[str]] = {
    "holder": _rx(
        r"(?:certificate\s+holder|holder\s+of\s+(?:the\s+)?certificate|name\s+of\s+(?:the\s+)?"
        r"(?:certified\s+)?(?:organi[sz]ation|company|client|licensee|applicant|supplier|factory|facility)"
        r"|(?:certified|registered)\s+(?:organi[sz]ation|company)|organi[sz]ation\s+name|company\s+name"
        r"|client\s+name|factory\s+name|facility\s+name|supplier\s+name|auditee(?:\s+name)?|applicant(?:\s+name)?"
        r"|licensee|holder|organi[sz]ation|company|client"
        r"|证书持有人|持证人|持证单位|获证组织|获证单位|认证组织|组织名称|企业名称|单位名称|公司名称|申请人|申请单位"
        r"|委托单位|委托方|受审核方|工厂名称)",
        _I,
    ),
    "address": _rx(
        r"(?:registered\s+address|site\s+address|office\s+address|factory\s+address|business\s+address"
        r"|company\s+address|address(?:\s+of\s+(?:the\s+)?(?:organi[sz]ation|company|site))?|located\s+at|add\."
        r"|注册地址|经营地址|生产地址|办公地址|审核地址|工厂地址|厂址|地址|住所)",
        _I,
    ),
    "number": _rx(
        r"(?:(?:certificate|cert\.?|certification)\s+(?:registration\s+)?(?:no|number|nr|n[o°º]|#|id|code)\.?"
        r"|(?:audit|report|certificate|registration)\s+id\b|(?:registration|reg\.?|report|test\s+report|audit\s+report|audit\s+reference|reference|verification"
        r"|license|licence|approval|document)\s+(?:no|number|nr|#)\.?|certificate\s+#|no\.(?=\s*:?\s*[A-Z0-9])"
        r"|认证证书编号|证书编号|证书号码|证书号|注册编号|注册号|报告编号|报告号|编号)",
        _I,
    ),
    "scope": _rx(
        r"(?:scope\s+of\s+(?:the\s+)?(?:certification|certificate|registration|approval|supply|activities|audit)"
        r"|certified\s+scope|certification\s+scope|registered\s+scope|scope|field\s+of\s+activity|activities"
        r"|认证覆盖范围|认证范围|覆盖范围|业务范围|产品范围|审核范围|注册范围|适用范围|认证的范围)",
        _I,
    ),
    "issuer": _rx(
        r"(?:issued\s+by|certified\s+by|certification\s+body|certifying\s+body|issuing\s+body|registered\s+by"
        r"|registrar|auditing\s+company|audit\s+company|audit\s+firm|awarded\s+by|granted\s+by|audited\s+by|assessed\s+by|testing\s+laboratory|test(?:ing)?\s+lab"
        r"|认证机构名称|认证机构|发证机构|颁证机构|认证单位|发证单位|颁证单位|签发机构|检测机构)",
        _I,
    ),
    "standard": _rx(
        r"(?:standards?(?:\s+applied)?|normative\s+document|according\s+to|in\s+accordance\s+with|"
        r"认证依据|依据标准|认证标准|审核准则|标准)",
        _I,
    ),
}

#: "This is to certify that" and its kind: the holder follows, on the same line or the next.
CERTIFY_INTRO = _rx(
    r"(?:this\s+is\s+to\s+certify\s+that|we\s+hereby\s+certify\s+that|hereby\s+certif(?:y|ies)\s+that"
    r"|this\s+(?:certificate|certification)\s+is\s+(?:hereby\s+)?(?:granted|issued|awarded)\s+to"
    r"|(?:is\s+)?(?:granted|awarded|issued)\s+to|this\s+certifies\s+that|certify\s+that|certifies\s+that"
    r"|兹证明|特此证明|兹确认|证明)",
    _I,
)
#: "... the quality management system of" after the intro: the holder is what follows.
SYSTEM_OF = _rx(
    r"^(?:the\s+)?(?:[a-z&,\s]{0,80}?)(?:management\s+system|system|organi[sz]ation|company|products?|facility)"
    r"\s+(?:of|operated\s+by)\b\s*[:]?",
    _I,
)

#: Dates: the kind of date a label announces. Checked in this order; the first that matches at a place wins.
DATE_LABELS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "first_issued",
        _rx(
            r"(?:(?:date\s+of\s+)?(?:first|initial|original)\s+(?:issue|issued|issuance|certification|registration|"
            r"approval|certified|award)(?:\s+date)?|certified\s+since|registered\s+since|first\s+issued\s+on"
            r"|初次发证日期|初次发证|首次发证日期|首次发证|初次认证日期|初次认证|首次认证|初次颁证|首次颁证|初次获证|首次注册)",
            _I,
        ),
    ),
    (
        "valid_until",
        _rx(
            r"(?:(?:audit\s+|certificate\s+)?valid(?:ity)?\s+(?:until|till|thru|through|to|date)|expiry\s+date|expiration\s+date"
            r"|date\s+of\s+expiry|date\s+of\s+expiration|expires?\s+on|expires?|expiry|expiration|valid\s+up\s+to"
            r"|certificate\s+expiry|until|有效期至|有效期到|有效期截止|有效截止日期|有效期限至|到期日期|到期日|截止日期"
            r"|失效日期|有效至)",
            _I,
        ),
    ),
    (
        "period",
        _rx(
            r"(?:valid\s+from|validity(?:\s+period)?|period\s+of\s+validity|valid\s+period|valid|effective\s+period"
            r"|证书有效期|有效期限|有效期|有效日期)",
            _I,
        ),
    ),
    (
        "issued",
        _rx(
            r"(?:date\s+of\s+(?:issue|issuance|certification|registration|approval|report|audit)|audit\s+date|issue\s+date|issued\s+on"
            r"|issuing\s+date|issued\s+date|current\s+issue(?:\s+date)?|certification\s+date|registration\s+date"
            r"|effective\s+date|effective\s+from|approval\s+date|report\s+date|date\s+of\s+this\s+certificate"
            r"|re-?issue(?:\s+date)?|issued|issue|dated?"
            r"|本次发证日期|发证日期|颁证日期|签发日期|换证日期|颁发日期|注册日期|批准日期|报告日期|签发|发证)",
            _I,
        ),
    ),
)

#: Words of certification, inspection and testing organisations: what tells an issuer from a holder.
ISSUER_WORDS = re.compile(
    r"(?:certification|zertifizierung|certificaci[oó]n|certificazione|certificering|certificat(?:ion|e)\s+body"
    r"|certifications|assessment|registrar|assurance|inspection"
    r"|verification|conformity|standards?\s+(?:technical|institution)|quality\s+(?:certification|services?)"
    r"|testing|laborator(?:y|ies)|认证|检测|检验|评价|审核中心|质量保证)",
    _I,
)

#: Certification bodies known by name: (pattern, canonical name). Case-sensitive acronyms avoid plain words.
KNOWN_BODIES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, flags), name)
    for pattern, flags, name in (
        (r"T[ÜU]V\s*S[ÜU]D|TUEV\s*SUED", _I, "TÜV SÜD"),
        (r"T[ÜU]V\s*Rheinland|TUEV\s*Rheinland", _I, "TÜV Rheinland"),
        (r"T[ÜU]V\s*NORD|TUEV\s*NORD", _I, "TÜV NORD"),
        (r"T[ÜU]V\s*AUSTRIA", _I, "TÜV AUSTRIA"),
        (r"\bBureau\s+Veritas\b", _I, "Bureau Veritas"),
        (r"\bIntertek\b", _I, "Intertek"),
        (r"\bDNV(?:\s*GL)?\b", 0, "DNV"),
        (r"\bLRQA\b|Lloyd'?s\s+Register", 0, "LRQA"),
        (r"\bBSI\b(?!\s*[-:]?\s*\d)|British\s+Standards\s+Institution", 0, "BSI"),
        (r"\bSGS\b", 0, "SGS"),
        (r"\bEurofins\b", _I, "Eurofins"),
        (r"\bDEKRA\b", _I, "DEKRA"),
        (r"\bDQS\b", 0, "DQS"),
        (r"\bNQA\b", 0, "NQA"),
        (r"\bKiwa\b", 0, "Kiwa"),
        (r"\bNemko\b", _I, "Nemko"),
        (r"\bApplus\b", _I, "Applus+"),
        (r"\bControl\s+Union\b", _I, "Control Union"),
        (r"\bHKQAA\b", 0, "HKQAA"),
        (r"\bJQA\b", 0, "JQA"),
        (r"\bKFQ\b", 0, "KFQ"),
        (r"\bQuality\s+Austria\b", _I, "Quality Austria"),
        (r"\bUnderwriters\s+Laboratories\b|\bUL\s+(?:LLC|Solutions|International)\b", 0, "UL"),
        (r"\bCQC\b|中国质量认证中心", 0, "CQC"),
        (r"\bCQM\b|方圆标志认证", 0, "CQM"),
        (r"\bQMS\s+(?:Certification|International|Global)", 0, "QMS"),
        (r"\bCTI\b|华测检测", 0, "CTI"),
        (r"\bCCIC\b|中国检验认证", 0, "CCIC"),
        (r"\bCQA\b|中质协质量保证中心", 0, "CQA"),
        (r"\bCCSC\b|中国船级社质量认证", 0, "CCSC"),
        (r"华夏认证", 0, "华夏认证中心"),
        (r"\bUL\b", 0, "UL"),
    )
)

#: Accreditation marks: (pattern, canonical). "IAF MLA" is its own mark (a body's membership of the IAF MLA).
ACCREDITATION_MARKS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, flags), name)
    for pattern, flags, name in (
        (r"\bCNAS\b|中国合格评定国家认可委员会", 0, "CNAS"),
        (r"\bUKAS\b", 0, "UKAS"),
        (r"\bDAkkS\b|\bDAKKS\b", 0, "DAkkS"),
        (r"\bANAB\b|ANSI[\s-]+ASQ\s+National\s+Accreditation", 0, "ANAB"),
        (r"\bJAS\s*-?\s*ANZ\b", _I, "JAS-ANZ"),
        (r"(?<![A-Za-z-])IAS(?![A-Za-z-])", 0, "IAS"),
        (r"\bACCREDIA\b", _I, "ACCREDIA"),
        (r"\bCOFRAC\b", _I, "COFRAC"),
        (r"\bENAC\b", 0, "ENAC"),
        (r"\bIAF\s*[-‐]?\s*MLA\b", 0, "IAF MLA"),
        (r"\bIAF\b", 0, "IAF"),
        (r"\bJAB\b", 0, "JAB"),
        (r"\bRvA\b", 0, "RvA"),
        (r"\bHKAS\b", 0, "HKAS"),
        (r"\bTAF\b", 0, "TAF"),
        (r"\bNABCB\b", 0, "NABCB"),
        (r"\bKAB\b", 0, "KAB"),
        (r"\bSANAS\b", 0, "SANAS"),
        (r"\bA2LA\b", 0, "A2LA"),
        (r"\bSWEDAC\b", 0, "SWEDAC"),
        (r"\bTURKAK\b|\bTÜRKAK\b", 0, "TURKAK"),
        (r"\bUAF\b", 0, "UAF"),
        (r"\bEGAC\b", 0, "EGAC"),
        (r"\bILAC\s*[-‐]?\s*MRA\b", 0, "ILAC MRA"),
        (r"\bILAC\b", 0, "ILAC"),
    )
)

#: A Latin-script company name ends with one of these.
LATIN_COMPANY_SUFFIX = re.compile(
    r"(?:\bCo\.?\s*,?\s*Ltd\b\.?|\bCompany\s+Limited\b|\bCo\.?\s*,?\s*Limited\b|\bLimited\b|\bLtd\b\.?|\bInc\b\.?"
    r"|\bIncorporated\b|\bCorporation\b|\bCorp\b\.?|\bGmbH\b|\bAG\b|\bLLC\b|\bL\.L\.C\.|\bLLP\b|\bPLC\b|\bS\.A\.S?\b"
    r"|\bS\.p\.A\.?|\bS\.r\.l\.?|\bB\.V\.?|\bN\.V\.?|\bPty\b\.?|\bPvt\b\.?|\bSdn\.?\s+Bhd\b\.?|\bJSC\b"
    r"|\bFactory\b|\bGroup\b|\bIndustr(?:y|ies)\b|\bEnterprises?\b|\bManufactur(?:ing|er)\b)",
    _I,
)
#: A Chinese company name: up to 40 characters ending in 公司 / 厂 / 集团 / 中心.
CJK_COMPANY = re.compile(
    r"[\u4e00-\u9fff（）()A-Za-z0-9·]{2,40}?(?:股份有限公司|有限责任公司|有限公司|集团公司|分公司|公司|集团|工厂|厂|中心|研究院|研究所)"
)

#: Words of a postal address.
ADDRESS_WORDS = re.compile(
    r"(?:\b(?:road|rd|street|str|st|avenue|ave|lane|district|city|province|town|township|village|county|zone"
    r"|park|building|bldg|floor|fl|room|suite|industrial|estate|highway|boulevard|blvd|p\.?\s?r\.?\s?china|china"
    r"|no\.\s*\d+)\b|[\u4e00-\u9fff](?:路|街|道|号|区|市|省|镇|村|县|楼|室|园))",
    _I,
)
