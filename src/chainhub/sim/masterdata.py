"""Master data of the chain as standard documents, all published by the OEM."""

from __future__ import annotations

from chainhub.sim import catalog as cat
from chainhub.sim.chain import MILLI, Chain, gs1_check_digit, milli
from chainhub.sim.dialects import DIALECTS
from chainhub.sim.flows import Row, Sink
from chainhub.sim.records import day_number

_Centre = tuple[str, str, str, int, str]
_CENTRES: tuple[_Centre, ...] = (
    ("WC-ASSY-1", "总装一线", "Final assembly line 1", 2, "16"),
    ("WC-PACK", "检测包装线", "Test and packing line", 1, "16"),
)


def _gtin(index: int) -> str:
    body = f"0691{1:04d}{index:05d}"
    return body + gs1_check_digit(body)


def emit_master_data(*, chain: Chain, sink: Sink) -> None:
    """Send partners, sites, materials, crosswalks, BOMs, work centres and routings."""
    day = day_number(chain.start)

    def send(doc_type: str, header: Row, lines: list[Row] | None = None) -> None:
        sink.emit(doc_type=doc_type, writer=cat.OEM_ID, day=day, header=header, lines=lines or [{}])

    for p in chain.partners.values():
        send(
            "partner",
            {
                "partner_id": p.partner_id,
                "name_zh": p.name_zh,
                "name_en": p.name_en,
                "roles": [p.role],
                "tier": p.tier,
                "country": "CN",
                "city": p.city,
                "uscc": p.uscc,
                "gln": p.gln,
            },
        )
    for s in chain.sites.values():
        send(
            "site",
            {
                "site_id": s.site_id,
                "partner_id": s.partner_id,
                "name_zh": s.name_zh,
                "name_en": s.name_en,
                "site_type": s.site_type,
                "province": s.province,
                "city": s.city,
                "country": "CN",
                "gln": s.gln,
            },
        )
    for n, m in enumerate(cat.MATERIALS, start=1):
        sellable = m.category in ("finished", "spare_part")
        send(
            "material",
            {
                "material_code": m.code,
                "name_zh": m.name_zh,
                "name_en": m.name_en,
                "category": m.category,
                "base_unit": m.unit,
                "gtin": _gtin(n) if sellable else None,
                "spec": m.spec,
                "net_weight_kg": milli(m.weight_kg),
                "shelf_life_days": None,
            },
        )
    for (pid, material), code in chain.codes.items():
        unit = chain.unit(material)
        grams = pid in cat.GRAM_WRITERS and unit == "KGM"
        words = dict(DIALECTS[chain.partners[pid].dialect].units)
        send(
            "material_crosswalk",
            {
                "partner_id": pid,
                "partner_material_code": code,
                "material_code": material,
                "partner_unit": words["GRM" if grams else unit],
                "units_per_partner_unit": 1 if grams else MILLI,
                "valid_from": day,
            },
        )
    for parent, bom in chain.boms.items():
        owners = [cat.OEM_ID] if parent.startswith("FG-") else [s for s, _ in cat.SOURCES[parent]]
        for owner in owners:
            send(
                "bom",
                {
                    "owner_id": owner,
                    "parent_code": parent,
                    "base_quantity": bom.base_milli,
                    "valid_from": day,
                },
                [
                    {
                        "line_no": 10 * (k + 1),
                        "component_code": c,
                        "quantity_per": q,
                        "component_unit": chain.unit(c),
                        "scrap_rate": s,
                    }
                    for k, (c, q, s) in enumerate(bom.lines)
                ],
            )
    for site in chain.sites.values():
        partner = chain.partners[site.partner_id]
        centres: tuple[_Centre, ...]
        if site.partner_id == cat.OEM_ID:
            centres = _CENTRES
        elif partner.role == "supplier" and partner.tier == 1:
            centres = (("WC-01", "加工装配线", "Machining and assembly line", 1, "20"),)
        else:
            continue
        for wc, zh, en, machines, hours in centres:
            send(
                "work_centre",
                {
                    "partner_id": site.partner_id,
                    "site_id": site.site_id,
                    "work_centre_id": wc,
                    "name_zh": zh,
                    "name_en": en,
                    "machines": machines,
                    "hours_per_day": milli(hours),
                },
            )
    for parent in chain.boms:
        if parent.startswith("FG-"):
            send(
                "routing",
                {
                    "owner_id": cat.OEM_ID,
                    "site_id": chain.plant_of(parent),
                    "material_code": parent,
                },
                [
                    {
                        "operation_no": 10,
                        "work_centre_id": "WC-ASSY-1",
                        "description": "总装",
                        "setup_minutes": 30 * MILLI,
                        "run_minutes_per_unit": 1500,
                    },
                    {
                        "operation_no": 20,
                        "work_centre_id": "WC-PACK",
                        "description": "检测包装",
                        "setup_minutes": 10 * MILLI,
                        "run_minutes_per_unit": 600,
                    },
                ],
            )
            continue
        for owner, _ in cat.SOURCES[parent]:
            send(
                "routing",
                {"owner_id": owner, "site_id": chain.site_of(owner), "material_code": parent},
                [
                    {
                        "operation_no": 10,
                        "work_centre_id": "WC-01",
                        "description": "加工装配",
                        "setup_minutes": 45 * MILLI,
                        "run_minutes_per_unit": 800,
                    }
                ],
            )
