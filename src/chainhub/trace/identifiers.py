"""Identifiers a Chinese chain meets, checked and named by one canonical URI usable as an EPC.

- GS1: EPC URIs, GS1 Digital Link URIs, element strings such as `(01)…(10)…` and bare GTINs and
  SSCCs; check digits (GS1 mod 10) are verified; the canonical form is the constrained
  canonical Digital Link the CBV event hash uses (`digital_link.normalise`).
- 工业互联网标识 (Industrial Internet identifiers, on the Handle system): `prefix/suffix`, the
  prefix `88.<industry>.<enterprise>` (country code, industry code, enterprise code, separated
  by "."), as the industry coding rules of the identifier resolution system state it; any Handle
  when written `hdl:prefix/suffix`. Canonical: `hdl:prefix/suffix`, the Handle System's own URI
  form, the suffix percent-encoded where a URI needs it.
- Ecode (GB/T 31866): version V, coding-system identifier NSI and master data MD. Lengths per
  version as GB/T 31866-2015 table 1 is publicly summarised (V1: NSI of 4 digits, MD up to 20
  digits; V2: NSI of 8 digits, MD up to 28 digits; V3: NSI of 4 digits, MD up to 39 digits and
  capital letters); the standard's text was not at hand to confirm them, and it defines no
  check character for the whole code. V0 (kept for GS1 codes in the 2023 edition) is read in its
  GS1 form instead. Canonical: `urn:chainhub:ecode:<code>`.
- NMPA 药品追溯码 (NMPAB/T 1002-2019, drug traceability code): the 20-digit form, a 7-digit drug
  identification code (药品标识码) then the production identification (serial) part. The standard
  requires a check position but publishes no algorithm for the 20-digit form (the code platform
  assigns it), so only length, digits and structure are checked. The standard's other form, a
  GS1 code, is read as GS1. Canonical: `urn:chainhub:nmpa:<20 digits>`.

`urn:chainhub:` is the hub's own documented URN space (not an IANA-registered namespace): it
names codes that have no URI form of their own, so that events and the genealogy carry them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Literal
from urllib.parse import quote, unquote

from chainhub.errors import ChainhubError
from chainhub.trace.digital_link import CANONICAL, check_digit, normalise

Scheme = Literal["gtin", "sgtin", "lgtin", "sscc", "gs1", "handle", "ecode", "nmpa"]
ECODE_URN: Final = "urn:chainhub:ecode:"
NMPA_URN: Final = "urn:chainhub:nmpa:"
HANDLE_URI: Final = "hdl:"
_NAMES: Final = {
    "gtin": ("GS1 GTIN", "GS1 商品条码 GTIN"),
    "sgtin": ("GS1 SGTIN", "GS1 系列化商品 SGTIN"),
    "lgtin": ("GS1 LGTIN (GTIN + lot)", "GS1 批次 LGTIN"),
    "sscc": ("GS1 SSCC", "GS1 系列货运包装箱代码 SSCC"),
    "gs1": ("GS1 identifier", "GS1 标识"),
    "handle": ("Industrial Internet identifier (Handle)", "工业互联网标识（Handle）"),
    "ecode": ("Ecode (GB/T 31866)", "Ecode 物品编码（GB/T 31866）"),
    "nmpa": ("NMPA drug traceability code", "药品追溯码"),
}
# Version → (NSI digits, most MD characters, MD characters) of GB/T 31866 (see above).
_ECODE: Final = {
    "1": (4, 20, re.compile(r"\d+")),
    "2": (8, 28, re.compile(r"\d+")),
    "3": (4, 39, re.compile(r"[0-9A-Z]+")),
}
_HANDLE_PREFIX: Final = re.compile(r"[0-9A-Za-z]+(\.[0-9A-Za-z-]+)*")
_AI: Final = re.compile(r"\((\d{2,4})\)([^()]+)")
_DATE_AIS: Final = {"11", "13", "15", "16", "17"}
_GS1_DL_KEY: Final = re.compile(r"^https://id\.gs1\.org/(00|01|414|417)/(\d+)")
_URI_SAFE: Final = "/-._~!$&'()*+,;=:@"
PRIVATE_PREFIXES: Final = (ECODE_URN, NMPA_URN, HANDLE_URI, "ecode:", "nmpa:")


@dataclass(frozen=True)
class Identifier:
    """A checked identifier: its scheme, the text given, its canonical URI and its parts."""

    scheme: Scheme
    text: str
    uri: str
    parts: Mapping[str, str] = field(default_factory=dict)

    @property
    def class_level(self) -> bool:
        """Whether it names a class (a product or a lot) rather than one object."""
        return self.scheme in ("gtin", "lgtin")


def _invalid(text: str, scheme: str | None, en: str, zh: str) -> ChainhubError:
    name_en, name_zh = _NAMES.get(scheme or "", ("identifier", "标识"))
    return ChainhubError(
        "identifier_invalid",
        f"{name_en} {text!r}: {en}",
        f"{name_zh} {text!r}：{zh}",
        {"identifier": text, **({"scheme": scheme} if scheme else {})},
        400,
    )


def check_gs1_key(text: str, key: str, scheme: Scheme) -> None:
    """Raise unless `key` ends in its GS1 mod-10 check digit."""
    expected = check_digit(key[:-1])
    if int(key[-1]) != expected:
        raise _invalid(
            text,
            scheme,
            f"check digit is {key[-1]}, the GS1 mod-10 check digit of {key[:-1]} is {expected}",
            f"校验位为 {key[-1]}，按 GS1 模 10 算法 {key[:-1]} 的校验位应为 {expected}",
        )


def _gs1_scheme(uri: str) -> Scheme:
    rest = uri[len(CANONICAL) :]
    if rest.startswith("/00/"):
        return "sscc"
    if rest.startswith("/01/"):
        if "/21/" in rest:
            return "sgtin"
        return "lgtin" if "/10/" in rest else "gtin"
    return "gs1"


def _gs1(text: str, uri: str | None) -> Identifier:
    """A GS1 identifier from its canonical Digital Link, its key's check digit verified."""
    if uri is None:
        raise _invalid(
            text,
            "gs1",
            "not a well-formed EPC URI or GS1 Digital Link URI",
            "不是格式正确的 EPC URI 或 GS1 数字链接 URI",
        )
    scheme = _gs1_scheme(uri)
    key = _GS1_DL_KEY.match(uri)
    if key is not None:
        check_gs1_key(text, key.group(2), scheme)
    parts = uri[len(CANONICAL) + 1 :].split("/")
    return Identifier(scheme, text, uri, dict(zip(parts[::2], parts[1::2], strict=False)))


def _digits_key(text: str, digits: str) -> Identifier:
    """A bare GTIN-8/12/13/14 or SSCC-18."""
    if len(digits) == 18:
        return _gs1(text, f"{CANONICAL}/00/{digits}")
    gtin = digits.zfill(14)
    check_gs1_key(text, gtin, "gtin")
    return Identifier("gtin", text, f"{CANONICAL}/01/{gtin}", {"01": gtin})


def _element_string(text: str) -> Identifier:
    """A GS1 element string in human-readable form: `(00)…` or `(01)…` with `(10)`, `(21)`
    and dates; dates are checked and left out of the identity."""
    pairs = _AI.findall(text)
    if not pairs or "".join(f"({a}){v}" for a, v in pairs) != text:
        raise _invalid(
            text,
            "gs1",
            "not a GS1 element string such as (01)…(21)…",
            "不是 (01)…(21)… 形式的 GS1 元素串",
        )
    values = dict(pairs)
    for ai, value in pairs:
        if ai in _DATE_AIS and re.fullmatch(r"\d{6}", value) is None:
            raise _invalid(
                text,
                "gs1",
                f"AI ({ai}) is a date and needs 6 digits YYMMDD",
                f"应用标识符 ({ai}) 是日期，须为 6 位数字 YYMMDD",
            )
        if ai not in _DATE_AIS | {"00", "01", "10", "21"}:
            raise _invalid(
                text,
                "gs1",
                f"AI ({ai}) is not one the hub reads here",
                f"本处不读取应用标识符 ({ai})",
            )
    if "00" in values and re.fullmatch(r"\d{18}", values["00"]):
        return _gs1(text, f"{CANONICAL}/00/{values['00']}")
    gtin = values.get("01", "")
    if re.fullmatch(r"\d{14}", gtin) is None:
        raise _invalid(
            text,
            "gs1",
            "needs (00) with 18 digits or (01) with 14 digits",
            "须含 18 位的 (00) 或 14 位的 (01)",
        )
    link = f"{CANONICAL}/01/{gtin}"
    for ai in ("10", "21"):
        if ai in values:
            link += f"/{ai}/{quote(values[ai], safe='')}"
    return _gs1(text, normalise(link))


def _handle(text: str, body: str) -> Identifier:
    """A Handle `prefix/suffix`; an Industrial Internet one (prefix 88) has three segments."""
    prefix, slash, suffix = body.partition("/")
    if not slash or not suffix:
        raise _invalid(
            text, "handle", "needs a prefix, a '/' and a suffix", "须由前缀、'/' 和后缀组成"
        )
    if _HANDLE_PREFIX.fullmatch(prefix) is None:
        raise _invalid(
            text,
            "handle",
            f"prefix {prefix!r} is not segments of letters and digits separated by '.'",
            f"前缀 {prefix!r} 不是以 '.' 分隔的字母数字段",
        )
    segments = prefix.split(".")
    if segments[0] == "88" and len(segments) < 3:
        raise _invalid(
            text,
            "handle",
            "an Industrial Internet prefix is 88.<industry code>.<enterprise code>",
            "工业互联网标识前缀应为 88.行业代码.企业代码",
        )
    plain = unquote(suffix)
    if any(ch.isspace() or not ch.isprintable() for ch in plain):
        raise _invalid(
            text,
            "handle",
            "the suffix holds a space or a control character",
            "后缀含空白或控制字符",
        )
    uri = f"{HANDLE_URI}{prefix}/{quote(plain, safe=_URI_SAFE)}"
    return Identifier("handle", text, uri, {"prefix": prefix, "suffix": plain})


def _ecode(text: str, code: str) -> Identifier:
    """An Ecode: version, NSI and MD of the lengths its version gives."""
    layout = _ECODE.get(code[:1])
    if layout is None:
        raise _invalid(
            text,
            "ecode",
            f"version {code[:1]!r} is not one read here (1, 2 or 3; "
            "V0 codes are read in their GS1 form)",
            f"版本 {code[:1]!r} 不在本处支持的 1、2、3 之列（V0 按其 GS1 形式读取）",
        )
    nsi_len, md_max, md_chars = layout
    nsi, md = code[1 : 1 + nsi_len], code[1 + nsi_len :]
    if not nsi.isdigit() or len(nsi) != nsi_len:
        raise _invalid(
            text,
            "ecode",
            f"version {code[0]} needs an NSI of {nsi_len} digits",
            f"版本 {code[0]} 的编码体系标识 NSI 须为 {nsi_len} 位数字",
        )
    if not md or len(md) > md_max or md_chars.fullmatch(md) is None:
        kind_en = "digits" if code[0] != "3" else "digits or capital letters"
        kind_zh = "数字" if code[0] != "3" else "数字或大写字母"
        raise _invalid(
            text,
            "ecode",
            f"version {code[0]} needs a master code (MD) of 1 to "
            f"{md_max} {kind_en}, got {len(md)} characters",
            f"版本 {code[0]} 的主码 MD 须为 1 至 {md_max} 位{kind_zh}，实为 {len(md)} 位",
        )
    return Identifier("ecode", text, ECODE_URN + code, {"version": code[0], "nsi": nsi, "md": md})


def _nmpa(text: str, code: str) -> Identifier:
    """A 20-digit drug traceability code: 7-digit drug identification code and the rest."""
    if re.fullmatch(r"\d{20}", code) is None:
        digits = code.isdigit()
        raise _invalid(
            text,
            "nmpa",
            f"needs 20 digits, got {len(code)} characters" + ("" if digits else " with non-digits"),
            f"须为 20 位数字，实为 {len(code)} 个字符" + ("" if digits else "且含非数字"),
        )
    return Identifier("nmpa", text, NMPA_URN + code, {"product": code[:7], "serial": code[7:]})


def _private(text: str, lowered: str) -> Identifier | None:
    """A code written with its scheme (`ecode:`, `nmpa:`, `hdl:`, or the canonical URNs)."""
    for prefixes, read in (
        ((ECODE_URN, "ecode:"), _ecode),
        ((NMPA_URN, "nmpa:"), _nmpa),
        ((HANDLE_URI,), _handle),
    ):
        for prefix in prefixes:
            if lowered.startswith(prefix):
                return read(text, text[len(prefix) :])
    return None


def _digits(text: str) -> Identifier:
    """A bare number: GTIN-8/12/13/14, SSCC-18, NMPA code (20 digits), else an Ecode."""
    if len(text) in (8, 12, 13, 14, 18):
        return _digits_key(text, text)
    if len(text) == 20:
        return _nmpa(text, text)
    if text[0] in _ECODE:
        return _ecode(text, text)
    raise _invalid(
        text,
        None,
        f"a number of {len(text)} digits is no GTIN (8, 12, 13, 14), "
        "SSCC (18), drug traceability code (20) nor Ecode (version 1-3)",
        f"{len(text)} 位数字既非 GTIN（8、12、13、14 位）、SSCC（18 位）、"
        "药品追溯码（20 位），也非 Ecode（版本 1-3）",
    )


def check_identifier(text: str, *, scheme: Scheme | None = None) -> Identifier:
    """Read and check one identifier in any form the hub knows; raise naming what is wrong.

    A bare number is read by its length (see `_digits`); pass `scheme` to read it otherwise
    (a 20-digit Ecode, say)."""
    text = text.strip()
    if not text:
        raise _invalid(text, scheme, "is empty", "为空")
    if scheme == "ecode":
        return _ecode(text, text.removeprefix(ECODE_URN).removeprefix("ecode:"))
    if scheme == "nmpa":
        return _nmpa(text, text.removeprefix(NMPA_URN).removeprefix("nmpa:"))
    if scheme == "handle":
        return _handle(text, text.removeprefix(HANDLE_URI))
    lowered = text.lower()
    found = _private(text, lowered)
    if found is not None:
        return found
    if lowered.startswith(("urn:epc:", "http://", "https://")):
        return _gs1(text, normalise(text))
    if text.startswith("("):
        return _element_string(text)
    if text.isdigit():
        return _digits(text)
    if re.match(r"88\.[0-9A-Za-z]", text):
        return _handle(text, text)
    if len(text) == 20 and text[:7].isdigit():
        return _nmpa(text, text)
    raise _invalid(
        text,
        scheme,
        "is no EPC URI, GS1 Digital Link, GS1 element string, GTIN, "
        "SSCC, Industrial Internet identifier (88.…/…), Ecode or drug traceability code",
        "不是 EPC URI、GS1 数字链接、GS1 元素串、GTIN、SSCC、工业互联网标识（88.…/…）、"
        "Ecode 或药品追溯码",
    )


def canonical_epc(text: str) -> str:
    """The form an identifier is indexed and queried in: its canonical URI when the hub reads
    it, else the text itself (an EPCIS EPC may be any URI; one the hub cannot read is kept)."""
    gs1 = normalise(text)
    if gs1 is not None:
        return gs1
    if text[:1].isdigit() or text[:1] == "(" or text.lower().startswith(PRIVATE_PREFIXES):
        try:
            return check_identifier(text).uri
        except ChainhubError:
            return text
    return text


def aggregation_event(
    *,
    parent: str,
    children: Sequence[str],
    event_time: datetime,
    action: Literal["ADD", "DELETE"] = "ADD",
    biz_step: str = "packing",
    read_point: str | None = None,
) -> dict[str, Any]:
    """An EPCIS 2.0 AggregationEvent packing serialised children (units, cases) into a parent
    (a case's 箱码, a pallet's SSCC or 托盘码), every code checked and written canonically."""
    if event_time.utcoffset() is None:
        raise ValueError("event_time needs a time zone")  # a caller's bug, not user input
    whole = check_identifier(parent)
    if whole.class_level:
        raise _invalid(
            parent,
            whole.scheme,
            "a class (product or lot) cannot be a packing's "
            "parent; give the case's or pallet's own code",
            "类别（产品或批次）不能作为包装的父级；请给出箱或托盘自身的码",
        )
    if not children:
        raise _invalid(
            parent, whole.scheme, "a packing needs at least one child code", "包装至少需要一个子码"
        )
    parts = [check_identifier(child) for child in children]
    offset = event_time.isoformat()[-6:]
    event: dict[str, Any] = {
        "type": "AggregationEvent",
        "eventTime": event_time.isoformat(),
        "eventTimeZoneOffset": offset,
        "parentID": whole.uri,
        "childEPCs": [c.uri for c in parts if not c.class_level],
        "action": action,
        "bizStep": biz_step,
    }
    classes = [{"epcClass": c.uri} for c in parts if c.class_level]
    if classes:
        event["childQuantityList"] = classes
    if read_point is not None:
        event["readPoint"] = {"id": read_point}
    return event


def packing_document(
    links: Iterable[tuple[str, str]],
    *,
    event_time: datetime,
    read_point: str | None = None,
) -> dict[str, Any]:
    """An EPCISDocument of one AggregationEvent per parent from (parent code, child code) rows,
    as a packing line's export lists them; a child packed into two parents is refused."""
    by_parent: dict[str, list[str]] = {}
    parent_of: dict[str, str] = {}
    for parent, child in links:
        key = check_identifier(child).uri
        first = parent_of.setdefault(key, parent)
        if first != parent:
            raise _invalid(
                child,
                check_identifier(child).scheme,
                f"is packed into both {first!r} and {parent!r}",
                f"同时装入 {first!r} 与 {parent!r}",
            )
        by_parent.setdefault(parent, []).append(child)
    events = [
        aggregation_event(parent=p, children=c, event_time=event_time, read_point=read_point)
        for p, c in by_parent.items()
    ]
    return {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": event_time.isoformat(),
        "epcisBody": {"eventList": events},
    }
