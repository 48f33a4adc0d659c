"""The simulated chain's structure: partners, sites, materials, BOMs, codes and vocabularies."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Final

from chainhub.sim import catalog as cat
from chainhub.sim.descriptions import describe
from chainhub.sim.dialects import DIALECTS
from chainhub.standard.fields import USCC_CHARSET, uscc_check_char

MILLI: Final = 1000

_NAMED_SIZES: Final = {
    "huadong-trading": 1.4,
    "jingjin-electric": 1.0,
    "xinan-home": 0.8,
    "huazhong-retail": 1.1,
    "lingnan-appliance": 1.2,
}
_CSV_DIALECTS: Final = ("yonyou_gbk", "excel_zh_csv", "english_tab", "legacy_gb18030")
_SCHEMES: Final = ("mat", "yonyou", "kingdee", "prefix")
_CATEGORY_DIGIT: Final = {"finished": 3, "spare_part": 4, "component": 2, "packaging": 5, "raw": 1}


def milli(text: str) -> int:
    """A decimal given as text, in thousandths."""
    return int(Decimal(text) * MILLI)


def gs1_check_digit(body: str) -> str:
    """The GS1 mod-10 check digit for `body` (a GTIN or GLN without its last digit)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


@dataclass(frozen=True)
class Partner:
    """A partner of the chain and how its ERP writes files."""

    partner_id: str
    name_zh: str
    name_en: str
    role: str
    tier: int
    city: str
    dialect: str
    code_scheme: str
    lot_prefix: str
    split: str
    transit_days: int
    index: int
    uscc: str
    gln: str
    size: float


@dataclass(frozen=True)
class Site:
    """A site of a partner."""

    site_id: str
    partner_id: str
    name_zh: str
    name_en: str
    site_type: str
    city: str
    province: str
    gln: str
    short: str


@dataclass(frozen=True)
class BomSpec:
    """A single-level BOM in thousandths: base quantity and (component, quantity per, scrap)."""

    parent: str
    base_milli: int
    lines: tuple[tuple[str, int, int], ...]


@dataclass
class Chain:
    """Everything fixed about the simulated chain for one run."""

    start: date
    days: int
    partners: dict[str, Partner]
    sites: dict[str, Site]
    materials: dict[str, cat.MaterialSpec]
    boms: dict[str, BomSpec]
    distributors: tuple[str, ...]
    partner_materials: dict[str, tuple[str, ...]] = field(default_factory=dict)
    codes: dict[tuple[str, str], str] = field(default_factory=dict)
    descriptions: dict[tuple[str, str], str] = field(default_factory=dict)

    def site_of(self, partner_id: str) -> str:
        """The single site of a partner other than the OEM."""
        return f"{partner_id}-{cat.CITIES[self.partners[partner_id].city].slug}"

    def plant_of(self, material: str) -> str:
        """The OEM plant that makes or stocks a saleable material."""
        return f"{cat.OEM_ID}-{cat.CITIES[cat.FG_PLANT[material]].slug}"

    def makers(self, material: str) -> tuple[tuple[str, int], ...]:
        """Suppliers of a purchased material with their share in percent."""
        return cat.SOURCES[material]

    def unit(self, material: str) -> str:
        """Base unit of a material."""
        return self.materials[material].unit

    def code(self, partner_id: str, material: str) -> str:
        """The material code a partner writes (the golden code for the OEM)."""
        return self.codes.get((partner_id, material), material)

    def description(self, partner_id: str, material: str) -> str:
        """How a partner describes a material it has its own code for."""
        return self.descriptions[(partner_id, material)]

    def counterparties(self, partner_id: str) -> tuple[str, ...]:
        """Partners a partner deals with, itself included (the OEM deals with everyone)."""
        if partner_id == cat.OEM_ID:
            return tuple(self.partners)
        partner = self.partners[partner_id]
        if partner.role == "distributor":
            return (cat.OEM_ID, partner_id)
        mine = set(self.partner_materials[partner_id])
        if partner.tier == 2:
            buyers = sorted(
                q
                for q, v in self.partners.items()
                if v.tier == 1 and v.role == "supplier" and mine & set(self.partner_materials[q])
            )
            return (cat.OEM_ID, partner_id, *buyers)
        sellers = sorted(
            {s for m in mine if self.materials[m].category == "raw" for s, _ in self.makers(m)}
        )
        return (cat.OEM_ID, partner_id, *sellers)


def _uscc(rng: random.Random, admin_code: str) -> str:
    body = "91" + admin_code + "".join(rng.choice(USCC_CHARSET) for _ in range(9))
    return body + uscc_check_char(body)


def _gln(company: int, location: int) -> str:
    body = f"691{company:04d}{location:05d}"
    return body + gs1_check_digit(body)


def _partner_code(scheme: str, prefix: str, n: int, category: str) -> str:
    digit = _CATEGORY_DIGIT[category]
    if scheme == "mat":
        return f"MAT{n:02d}"
    if scheme == "sap_num":
        return f"10-{230 + n:05d}"
    if scheme == "yonyou":
        return f"0{digit}{n:06d}"
    if scheme == "kingdee":
        return f"{digit}.{(n - 1) // 10 + 1:02d}.{n:04d}"
    return f"{prefix}-{n:04d}"


def _dealers(rng: random.Random, count: int) -> list[cat.CompanySpec]:
    cities = [c for c in cat.CITIES if c not in ("佛山", "合肥")]
    dealers = []
    for i in range(count):
        city = cities[i % len(cities)]
        word_zh, word_en = cat.DEALER_WORDS[(i // len(cities)) % len(cat.DEALER_WORDS)]
        n = i + 6
        dealers.append(
            cat.CompanySpec(
                f"dealer-{n:04d}",
                f"{city}{word_zh}家电商行（{n}号）",
                f"{cat.CITIES[city].slug.title()} {word_en} Appliance Store No. {n}",
                "distributor",
                1,
                city,
                rng.choice(_CSV_DIALECTS),
                rng.choice(_SCHEMES),
                f"D{n}",
                "year",
                1 + rng.randrange(4),
            )
        )
    return dealers


def build_chain(*, seed: int, start: date, days: int, extra_dealers: int) -> Chain:
    """The chain for a run: the named small chain plus `extra_dealers` generated distributors."""
    rng = random.Random(f"chain-{seed}")  # noqa: S311 - a seeded simulation, not security
    specs = [*cat.COMPANIES, *_dealers(rng, extra_dealers)]
    partners: dict[str, Partner] = {}
    sites: dict[str, Site] = {}
    for index, spec in enumerate(specs):
        city = cat.CITIES[spec.city]
        size = _NAMED_SIZES.get(spec.partner_id, round(rng.lognormvariate(0, 0.5), 3))
        partners[spec.partner_id] = Partner(
            **spec._asdict(),
            index=index,
            uscc=_uscc(rng, city.admin_code),
            gln=_gln(index + 1, 0),
            size=size if spec.role == "distributor" else 1.0,
        )
        short = spec.name_zh.replace("股份有限公司", "").replace("有限公司", "")
        if spec.partner_id == cat.OEM_ID:
            for k, (plant_city, name_zh, name_en, _) in enumerate(cat.OEM_PLANTS, start=1):
                pc = cat.CITIES[plant_city]
                site_id = f"{cat.OEM_ID}-{pc.slug}"
                sites[site_id] = Site(
                    site_id,
                    cat.OEM_ID,
                    name_zh,
                    name_en,
                    "plant",
                    plant_city,
                    pc.province,
                    _gln(index + 1, k),
                    pc.slug[:2].upper(),
                )
            continue
        kind = "distribution_centre" if spec.role == "distributor" else "plant"
        word_zh, word_en = (
            ("配送中心", "Distribution Centre") if kind != "plant" else ("工厂", "Plant")
        )
        site_id = f"{spec.partner_id}-{city.slug}"
        sites[site_id] = Site(
            site_id,
            spec.partner_id,
            f"{short}{spec.city}{word_zh}",
            f"{spec.name_en.split(' Co.')[0]} {city.slug.title()} {word_en}",
            kind,
            spec.city,
            city.province,
            _gln(index + 1, 1),
            spec.lot_prefix,
        )
    materials = {m.code: m for m in cat.MATERIALS}
    boms = {
        parent: BomSpec(parent, milli(base), tuple((c, milli(q), milli(s)) for c, q, s in lines))
        for parent, (base, lines) in cat.BOMS.items()
    }
    distributors = tuple(p for p, v in partners.items() if v.role == "distributor")
    chain = Chain(
        date(start.year, start.month, start.day),
        days,
        partners,
        sites,
        materials,
        boms,
        distributors,
    )
    _assign_codes(chain, seed=seed)
    return chain


def _assign_codes(chain: Chain, *, seed: int) -> None:
    made: dict[str, list[str]] = {}
    for material, sources in cat.SOURCES.items():
        for supplier, _ in sources:
            made.setdefault(supplier, []).append(material)
    for pid, partner in chain.partners.items():
        if pid == cat.OEM_ID:
            continue
        if partner.role == "distributor":
            handled = list(cat.SALEABLE)
        else:
            handled = list(made.get(pid, []))
            if partner.tier == 1:
                raws = {c for m in handled for c, _, _ in chain.boms[m].lines}
                handled += sorted(raws)
        chain.partner_materials[pid] = tuple(handled)
        dialect = DIALECTS[partner.dialect]
        for n, material in enumerate(handled, start=1):
            spec = chain.materials[material]
            chain.codes[(pid, material)] = _partner_code(
                partner.code_scheme, partner.lot_prefix, n, spec.category
            )
            chain.descriptions[(pid, material)] = describe(
                seed=seed,
                partner_id=pid,
                material=material,
                packed=None if spec.category == "finished" else spec.unit,
                style=dialect.words,
                full_width=dialect.full_width,
                decimal_comma=dialect.decimal_comma,
            )
