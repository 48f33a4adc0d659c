"""EPC URIs, EPC class and pattern URIs and GS1 Digital Link URIs to constrained canonical DL URIs.

The conversion the CBV 2.0 event hash ID prescribes (GS1 Digital Link 1.2, section 4.11): the
canonical domain, no query string, only the finest level of identification. It follows the
reference implementation (github.com/RalphTro/epcis-event-hash-generator, dl_normaliser.py,
MIT licence), whose goldens the tests reproduce.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Final

CANONICAL: Final = "https://id.gs1.org"

# One character of an EPC URI component (GS1 AI encodable character set 82, percent-escaped).
_EPC_CHAR: Final = (
    r"(\%2[125-9A-Fa-f]|\%3[0-9A-Fa-f]|\%4[1-9A-Fa-f]|\%5[0-9AaFf]|\%6[1-9A-Fa-f]|\%7[0-9Aa]"
    r"|[!\')(*+,.0-9:;=A-Za-z_-])"
)
_CPI_CHAR: Final = r"(\%2[3dfDF]|\%3[0-9]|\%4[1-9A-Fa-f]|\%5[0-9Aa]|[0-9A-Z-])"
# One character of a GS1 Digital Link path component.
_DL: Final = r"[\x22\x27\x2D\x2E\x30-\x39\x3B-\x3F\x41-\x5A\x5F\x61-\x7A]"


def _split(total: int) -> str:
    """A company prefix of 6 to 12 digits, a dot, and the rest of `total` digits."""
    return "(" + "|".join(rf"(\d{{{n}}}\.\d{{{total - n}}})" for n in range(6, 13)) + ")"


def _split_var(chars: str, total: int) -> str:
    """A company prefix of 6 to 12 digits, a dot, and up to `total` less its length characters."""
    return "(" + "|".join(rf"(\d{{{n}}}\.{chars}{{1,{total - n}}})" for n in range(6, 13)) + ")"


def check_digit(key: str) -> int:
    """The GS1 standard check digit (GTIN, GLN, SSCC, GSIN, GSRN, ...) of a key without it."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(key)))
    return math.ceil(total / 10) * 10 - total


def _pct(value: str) -> str:
    """Percent-encode what GS1 Digital Link (table 7-1) reserves and EPC URIs allow."""
    for char, code in (("!", "%21"), ("(", "%28"), (")", "%29"), ("*", "%2A"), ("+", "%2B")):
        value = value.replace(char, code)
    return value.replace(",", "%2C").replace(":", "%3A")


def _gtin(prefix: str, item: str) -> str:
    raw = item[:1] + prefix + item[1:]
    return raw + str(check_digit(raw))


def _with_check(raw: str) -> str:
    return raw + str(check_digit(raw))


def _parts(uri: str, scheme: str) -> tuple[str, str]:
    """Company prefix and the rest after it, of an EPC URI of the given scheme."""
    body = uri[len(scheme) :]
    prefix, _, rest = body.partition(".")
    return prefix, rest


def _sgtin(uri: str) -> str:
    prefix, rest = _parts(uri, "urn:epc:id:sgtin:")
    item, _, serial = rest.partition(".")
    return f"{CANONICAL}/01/{_gtin(prefix, item)}/21/{_pct(serial)}"


def _sscc(uri: str) -> str:
    prefix, rest = _parts(uri, "urn:epc:id:sscc:")
    return f"{CANONICAL}/00/{_with_check(rest[:1] + prefix + rest[1:])}"


def _sgln(uri: str) -> str:
    prefix, rest = _parts(uri, "urn:epc:id:sgln:")
    location, _, extension = rest.partition(".")
    gln = _with_check(prefix + location)
    if extension == "0":
        return f"{CANONICAL}/414/{gln}"
    return f"{CANONICAL}/414/{gln}/254/{_pct(extension)}"


def _grai(uri: str) -> str:
    prefix, rest = _parts(uri, "urn:epc:id:grai:")
    asset, _, serial = rest.partition(".")
    return f"{CANONICAL}/8003/{_with_check('0' + prefix + asset)}{_pct(serial)}"


def _giai(uri: str) -> str:
    prefix, rest = _parts(uri, "urn:epc:id:giai:")
    return f"{CANONICAL}/8004/{prefix}{_pct(rest)}"


def _gsrn(uri: str) -> str:
    prefix, rest = _parts(uri, "urn:epc:id:gsrn:")
    return f"{CANONICAL}/8018/{_with_check(prefix + rest)}"


def _gsrnp(uri: str) -> str:
    prefix, rest = _parts(uri, "urn:epc:id:gsrnp:")
    return f"{CANONICAL}/8017/{_with_check(prefix + rest)}"


def _gdti(uri: str) -> str:
    prefix, rest = _parts(uri, "urn:epc:id:gdti:")
    doc_type, _, serial = rest.partition(".")
    return f"{CANONICAL}/253/{_with_check(prefix + doc_type)}{_pct(serial)}"


def _cpi(uri: str) -> str:
    prefix, rest = _parts(uri, "urn:epc:id:cpi:")
    ref, _, serial = rest.rpartition(".")
    return f"{CANONICAL}/8010/{_pct(prefix + ref)}/8011/{serial}"


def _sgcn(uri: str) -> str:
    prefix, rest = _parts(uri, "urn:epc:id:sgcn:")
    coupon, _, serial = rest.partition(".")
    return f"{CANONICAL}/255/{_with_check(prefix + coupon)}{serial}"


def _ginc(uri: str) -> str:
    prefix, rest = _parts(uri, "urn:epc:id:ginc:")
    return f"{CANONICAL}/401/{prefix}{_pct(rest)}"


def _gsin(uri: str) -> str:
    prefix, rest = _parts(uri, "urn:epc:id:gsin:")
    return f"{CANONICAL}/402/{_with_check(prefix + rest)}"


def _itip(uri: str) -> str:
    prefix, rest = _parts(uri, "urn:epc:id:itip:")
    item, piece, total, serial = rest.split(".", 3)
    return f"{CANONICAL}/8006/{_gtin(prefix, item)}{piece}{total}/21/{_pct(serial)}"


def _upui(uri: str) -> str:
    prefix, rest = _parts(uri, "urn:epc:id:upui:")
    item, _, serial = rest.partition(".")
    return f"{CANONICAL}/01/{_gtin(prefix, item)}/235/{_pct(serial)}"


def _pgln(uri: str) -> str:
    prefix, rest = _parts(uri, "urn:epc:id:pgln:")
    return f"{CANONICAL}/417/{_with_check(prefix + rest)}"


def _lgtin(uri: str) -> str:
    prefix, rest = _parts(uri, "urn:epc:class:lgtin:")
    item, _, lot = rest.partition(".")
    return f"{CANONICAL}/01/{_gtin(prefix, item)}/10/{_pct(lot)}"


def _pat_sgtin(uri: str) -> str:
    prefix, rest = _parts(uri, "urn:epc:idpat:sgtin:")
    return f"{CANONICAL}/01/{_gtin(prefix, rest.partition('.')[0])}"


def _pat_grai(uri: str) -> str:
    prefix, rest = _parts(uri, "urn:epc:idpat:grai:")
    return f"{CANONICAL}/8003/{_with_check('0' + prefix + rest.partition('.')[0])}"


def _pat_gdti(uri: str) -> str:
    prefix, rest = _parts(uri, "urn:epc:idpat:gdti:")
    return f"{CANONICAL}/253/{_with_check(prefix + rest.partition('.')[0])}"


def _pat_sgcn(uri: str) -> str:
    prefix, rest = _parts(uri, "urn:epc:idpat:sgcn:")
    return f"{CANONICAL}/255/{_with_check(prefix + rest.partition('.')[0])}"


def _pat_cpi(uri: str) -> str:
    prefix, rest = _parts(uri, "urn:epc:idpat:cpi:")
    return f"{CANONICAL}/8010/{_pct(prefix + rest.rpartition('.')[0])}"


def _pat_itip(uri: str) -> str:
    prefix, rest = _parts(uri, "urn:epc:idpat:itip:")
    item, piece, total, _ = rest.split(".", 3)
    return f"{CANONICAL}/8006/{_gtin(prefix, item)}{piece}{total}"


def _pat_upui(uri: str) -> str:
    prefix, rest = _parts(uri, "urn:epc:idpat:upui:")
    return f"{CANONICAL}/01/{_gtin(prefix, rest.partition('.')[0])}"


_E = _EPC_CHAR
_CONVERTERS: Final[tuple[tuple[re.Pattern[str], Callable[[str], str]], ...]] = tuple(
    (re.compile(pattern), convert)
    for pattern, convert in (
        (rf"^urn:epc:id:sgtin:{_split(13)}\.{_E}{{1,20}}$", _sgtin),
        (rf"^urn:epc:id:sscc:{_split(17)}$", _sscc),
        (rf"^urn:epc:id:sgln:{_split(12)}\.{_E}{{1,20}}$", _sgln),
        (rf"^urn:epc:id:grai:{_split(12)}\.{_E}{{1,16}}$", _grai),
        (rf"^urn:epc:id:giai:{_split_var(_E, 30)}$", _giai),
        (rf"^urn:epc:id:gsrn:{_split(17)}$", _gsrn),
        (rf"^urn:epc:id:gsrnp:{_split(17)}$", _gsrnp),
        (rf"^urn:epc:id:gdti:{_split(12)}\.{_E}{{1,20}}$", _gdti),
        (rf"^urn:epc:id:cpi:{_split_var(_CPI_CHAR, 30)}\.\d{{1,12}}$", _cpi),
        (rf"^urn:epc:id:sgcn:{_split(12)}\.\d{{1,12}}$", _sgcn),
        (rf"^urn:epc:id:ginc:{_split_var(_E, 30)}$", _ginc),
        (rf"^urn:epc:id:gsin:{_split(16)}$", _gsin),
        (rf"^urn:epc:id:itip:{_split(13)}\.\d{{2}}\.\d{{2}}\.{_E}{{1,20}}$", _itip),
        (rf"^urn:epc:id:upui:{_split(13)}\.{_E}{{1,28}}$", _upui),
        (rf"^urn:epc:id:pgln:{_split(12)}$", _pgln),
        (rf"^urn:epc:class:lgtin:{_split(13)}\.{_E}{{1,20}}$", _lgtin),
        (rf"^urn:epc:idpat:sgtin:{_split(13)}\.\*$", _pat_sgtin),
        (rf"^urn:epc:idpat:grai:{_split(12)}\.\*$", _pat_grai),
        (rf"^urn:epc:idpat:gdti:{_split(12)}\.\*$", _pat_gdti),
        (rf"^urn:epc:idpat:sgcn:{_split(12)}\.\*$", _pat_sgcn),
        (rf"^urn:epc:idpat:cpi:{_split_var(_CPI_CHAR, 30)}\.\*$", _pat_cpi),
        (rf"^urn:epc:idpat:itip:{_split(13)}\.\d{{2}}\.\d{{2}}\.\*$", _pat_itip),
        (rf"^urn:epc:idpat:upui:{_split(13)}\.\*$", _pat_upui),
    )
)

_KEYS: Final = (
    "01|gtin|8006|itip|8010|cpid|414|gln|417|party|8017|gsrnp|8018|gsrn|255|gcn|00|sscc|253|gdti"
    "|401|ginc|402|gsin|8003|grai|8004|giai"
)
_DL_URI: Final = re.compile(
    r"^https?:(\/\/((([^\/?#]*)@)?([^\/?#:]*)(:([^\/?#]*))?))?((([^?#]*)(\/("
    + _KEYS
    + r")\/)(\d{4}[^\/]+)(\/[^/]+\/[^/]+)?[/]?(\?([^?\n]*))?(#([^\n]*))?)|(\/[A-Za-z_-]{10}$))"
)
_SHORT_NAMES: Final = (
    ("gtin", "01"),
    ("itip", "8006"),
    ("cpid", "8010"),
    ("gln", "414"),
    ("party", "417"),
    ("gsrnp", "8017"),
    ("gsrn", "8018"),
    ("gcn", "255"),
    ("sscc", "00"),
    ("gdti", "253"),
    ("ginc", "401"),
    ("gsin", "402"),
    ("grai", "8003"),
    ("giai", "8004"),
    ("cpv", "22"),
    ("lot", "10"),
    ("ser", "21"),
)
_CANONICAL_DL: Final = re.compile(
    r"^https:\/\/id.gs1.org\/(01|8006|8010|414|417|8017|8018|255|00|253|401|402|8003|8004)\/"
    r"(\d{4}[^\/]+)(\/[^\/]+\/[^\/]+)?[\/]?(\?([^?\n]*))?(#([^\n]*))?|(\/[A-Za-z_-]{10}$)"
)
_PRIMARY_KEYS: Final = (
    "00",
    "01",
    "253",
    "255",
    "401",
    "402",
    "414",
    "417",
    "8003",
    "8004",
    "8006",
    "8010",
    "8017",
    "8018",
)
_VALID: Final = tuple(
    re.compile(rf"https:\/\/id.gs1.org\/{pattern}$")
    for pattern in (
        r"00\/(\d{18})",
        rf"01\/(\d{{14}})\/21\/({_DL}{{0,20}})",
        rf"01\/(\d{{14}})\/10\/({_DL}{{0,20}})",
        r"01\/(\d{14})",
        rf"01\/(\d{{14}})\/235\/({_DL}{{0,28}})",
        rf"253\/(\d{{13}})({_DL}{{0,17}})",
        r"255\/(\d{13})(\d{0,12})",
        rf"401\/({_DL}{{0,30}})",
        r"402\/(\d{17})",
        r"414\/(\d{13})",
        rf"414\/(\d{{13}})\/254\/({_DL}{{0,20}})",
        r"417\/(\d{13})",
        rf"8003\/(\d{{14}})({_DL}{{0,16}})",
        rf"8004\/({_DL}{{0,30}})",
        rf"8006\/(\d{{18}})\/21\/({_DL}{{0,20}})",
        rf"8006\/(\d{{18}})\/10\/({_DL}{{0,20}})",
        r"8006\/(\d{18})",
        r"8010\/([\x23\x2D\x2F\x30-\x39\x41-\x5A]{0,30})\/8011/(\d{0,12})",
        r"8010\/([\x23\x2D\x2F\x30-\x39\x41-\x5A]{0,30})",
        r"8017\/(\d{18})",
        r"8018\/(\d{18})",
    )
)
_CPV_LAST: Final = tuple(
    re.compile(rf"https:\/\/id.gs1.org\/{key}\/22\/({_DL}{{0,20}})$")
    for key in (r"8006\/\d{18}", r"01\/\d{14}")
)
_CPV_MIDDLE: Final = tuple(
    re.compile(
        rf"https:\/\/id.gs1.org\/{key}\/22\/([\x2F\x22\x27\x2D\x2E\x30-\x39\x3B-\x3F\x41-\x5A\x5F\x61-\x7A]{{0,20}})$"
    )
    for key in (r"8006\/\d{18}", r"01\/\d{14}")
)
_LOT_AND_SERIAL: Final = tuple(
    re.compile(rf"https:\/\/id.gs1.org\/{key}\/10\/({_DL}{{0,20}})\/21\/({_DL}{{0,20}})$")
    for key in (r"8006\/\d{18}", r"01\/(\d{14})")
)


def _canonical_dl(uri: str) -> str | None:
    if _DL_URI.match(uri) is None:
        return None
    uri = uri.split("?", 1)[0]
    for name, ai in _SHORT_NAMES:
        uri = uri.replace(f"/{name}/", f"/{ai}/")
    if _CANONICAL_DL.match(uri) is None:
        for key in _PRIMARY_KEYS:
            at = uri.find(f"/{key}/")
            if at != -1:
                uri = CANONICAL + uri[at:]
                break
    if re.match(r"^https:\/\/id.gs1.org\/01\/\d{14}", uri) is None:
        for digits, pad in ((13, "0"), (12, "00"), (8, "000000")):
            if re.match(rf"^https:\/\/id.gs1.org\/01\/\d{{{digits}}}", uri) is not None:
                uri = uri.replace("/01/", "/01/" + pad)
                break
    after_cpv = uri[uri.find("/22/") + 4 :]
    if any(p.match(uri) for p in _CPV_LAST):
        uri = uri[: uri.find("/22/")] + after_cpv[after_cpv.find("/") : -1]
    if any(p.match(uri) for p in _CPV_MIDDLE):
        uri = uri[: uri.find("/22/")] + after_cpv[after_cpv.find("/") :]
    if any(p.match(uri) for p in _LOT_AND_SERIAL):
        after_lot = uri[uri.find("/10/") + 4 :]
        uri = uri[: uri.find("/10/")] + after_lot[after_lot.find("/") :]
    if any(p.match(uri) for p in _VALID):
        return uri
    return None


@lru_cache(maxsize=1 << 17)
def normalise(uri: str) -> str | None:
    """The constrained canonical GS1 Digital Link URI of an identifier URI, or None if not one."""
    if "." not in uri:
        return None
    for pattern, convert in _CONVERTERS:
        if pattern.match(uri) is not None:
            return convert(uri)
    return _canonical_dl(uri)
