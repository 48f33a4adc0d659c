"""Master data of the standard: partners, sites, materials, crosswalks, BOMs, work centres and
routings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from chainhub.standard.fields import (
    COUNTRY_PATTERN,
    Code,
    Gln,
    Gtin,
    MaterialCategory,
    PartnerId,
    PartnerRole,
    Quantity,
    SiteId,
    SiteType,
    StandardModel,
    UnitCode,
    Uscc,
    Whole,
    described_zh,
    field,
    lines_field,
)
from chainhub.standard.version import STANDARD_VERSION

_VERSION = field(
    "Version of the chainhub standard the document was written against",
    "文档所依据的 chainhub 数据标准版本",
    example=STANDARD_VERSION,
    pattern=r"^\d+\.\d+\.\d+$",
    default=STANDARD_VERSION,
)


class Partner(StandardModel):
    """A company in the chain: the chain leader, a supplier, a distributor or a carrier."""

    model_config = described_zh("产业链中的企业：链主、供应商、经销商或承运商。")

    standard_version: str = _VERSION
    partner_id: PartnerId = field(
        "Hub-wide partner identifier (lower-case slug)",
        "全链唯一的伙伴标识（小写短名）",
        example="haichuan",
    )
    name_zh: str = field(
        "Legal name in Chinese",
        "中文法定名称",
        example="海川电器股份有限公司",
        min_length=1,
        max_length=200,
    )
    name_en: str = field(
        "Name in English",
        "英文名称",
        example="Haichuan Appliances Co., Ltd.",
        min_length=1,
        max_length=200,
    )
    roles: list[PartnerRole] = field(
        "Roles the partner plays in the chain",
        "伙伴在产业链中的角色",
        example=["oem"],
        min_length=1,
    )
    tier: int = field(
        "Distance from the chain leader: 0 for the leader, 1 for its direct suppliers, and so on",
        "与链主的层级距离：链主为 0，直接供应商为 1，依此类推",
        example=1,
        ge=0,
        le=9,
    )
    country: str = field(
        "ISO 3166-1 alpha-2 country code",
        "ISO 3166-1 两位国家代码",
        example="CN",
        pattern=COUNTRY_PATTERN,
        default="CN",
    )
    city: str | None = field(
        "City of the head office", "总部所在城市", example="佛山", default=None, max_length=100
    )
    uscc: Uscc | None = field(
        "Unified social credit code (统一社会信用代码, GB 32100-2015)",
        "统一社会信用代码（GB 32100-2015）",
        example="91440606MA4UJ3KQ5B",
        default=None,
    )
    gln: Gln | None = field(
        "GS1 Global Location Number of the company",
        "企业的 GS1 全球位置码",
        example="6901234000009",
        default=None,
    )


class Site(StandardModel):
    """A physical place of a partner: plant, warehouse, distribution centre."""

    model_config = described_zh("伙伴的实体场所：工厂、仓库、配送中心。")

    standard_version: str = _VERSION
    site_id: SiteId = field(
        "Hub-wide site identifier", "全链唯一的场所标识", example="haichuan-foshan"
    )
    partner_id: PartnerId = field(
        "Partner that operates the site", "运营该场所的伙伴", example="haichuan"
    )
    name_zh: str = field(
        "Site name in Chinese", "场所中文名称", example="海川佛山工厂", min_length=1, max_length=200
    )
    name_en: str = field(
        "Site name in English",
        "场所英文名称",
        example="Haichuan Foshan Plant",
        min_length=1,
        max_length=200,
    )
    site_type: SiteType = field("Kind of site", "场所类型", example="plant")
    province: str | None = field("Province", "省份", example="广东", default=None, max_length=50)
    city: str = field("City", "城市", example="佛山", min_length=1, max_length=100)
    country: str = field(
        "ISO 3166-1 alpha-2 country code",
        "ISO 3166-1 两位国家代码",
        example="CN",
        pattern=COUNTRY_PATTERN,
        default="CN",
    )
    gln: Gln | None = field(
        "GS1 Global Location Number of the site",
        "场所的 GS1 全球位置码",
        example="6901234000016",
        default=None,
    )


class Material(StandardModel):
    """The golden record of a material, as the chain leader publishes it."""

    model_config = described_zh("链主发布的物料标准主数据（黄金记录）。")

    standard_version: str = _VERSION
    material_code: Code = field("Golden material code", "标准物料编码", example="M001")
    name_zh: str = field(
        "Description in Chinese, as buyers write it",
        "中文物料描述",
        example="压缩机 QX-1.5P",
        min_length=1,
        max_length=200,
    )
    name_en: str = field(
        "Description in English",
        "英文物料描述",
        example="Compressor QX-1.5P",
        min_length=1,
        max_length=200,
    )
    category: MaterialCategory = field(
        "Place in the bill of materials", "物料类别", example="component"
    )
    base_unit: UnitCode = field(
        "Base unit of measure (UN/ECE Recommendation 20 code)",
        "基本计量单位（UN/ECE 第 20 号建议书代码）",
        example="H87",
    )
    gtin: Gtin | None = field(
        "GS1 Global Trade Item Number",
        "GS1 全球贸易项目代码",
        example="06901234567892",
        default=None,
    )
    spec: str | None = field(
        "Specification, dimensions, grade",
        "规格型号",
        example="1.5匹 R32",
        default=None,
        max_length=200,
    )
    net_weight_kg: Decimal | None = field(
        "Net weight of one base unit in kilograms",
        "单位净重（千克）",
        example="9.8",
        default=None,
        gt=0,
        max_digits=18,
        decimal_places=6,
    )
    shelf_life_days: Whole | None = field(
        "Shelf life in days, for perishable materials",
        "保质期（天）",
        example=720,
        default=None,
        gt=0,
    )
    lead_time_days: Whole | None = field(
        "Planned lead time in days: delivery lead time for a bought material, production lead "
        "time for a made one (MRP offsets the material's orders by it; none means 0)",
        "计划提前期（天）：外购物料为交货提前期，自制物料为生产提前期"
        "（MRP 据此前移订单；为空按 0）",
        example=14,
        default=None,
        ge=0,
    )


class MaterialCrosswalk(StandardModel):
    """A partner's own material code and unit, mapped to the golden material."""

    model_config = described_zh("伙伴自有物料编码及单位与标准物料的对照。")

    standard_version: str = _VERSION
    partner_id: PartnerId = field(
        "Partner whose code this is", "使用该编码的伙伴", example="jinli-motor"
    )
    partner_material_code: str = field(
        "The partner's own material code",
        "伙伴自有物料编码",
        example="MAT01",
        min_length=1,
        max_length=40,
    )
    material_code: Code = field("Golden material code", "标准物料编码", example="M001")
    partner_unit: str | None = field(
        "Unit as the partner writes it",
        "伙伴使用的单位写法",
        example="PCS",
        default=None,
        max_length=20,
    )
    units_per_partner_unit: Decimal = field(
        "Base units in one partner unit (12 for a box of twelve)",
        "每个伙伴单位折合的基本单位数量（如一箱 12 件则为 12）",
        example="1",
        default=Decimal(1),
        gt=0,
        max_digits=18,
        decimal_places=6,
    )
    valid_from: date | None = field(
        "First day the mapping applies", "映射生效日期", example="2025-01-01", default=None
    )


class BomLine(StandardModel):
    """One component of a bill of materials."""

    model_config = described_zh("物料清单中的一个子件。")

    line_no: Whole = field("Line number within the BOM", "BOM 行号", example=10, ge=1)
    component_code: Code = field("Golden code of the component", "子件标准物料编码", example="M101")
    quantity_per: Quantity = field(
        "Component quantity per one parent base unit",
        "每个父件基本单位所需子件数量",
        example="2",
        gt=0,
    )
    component_unit: UnitCode = field(
        "Unit of the component quantity", "子件数量单位", example="H87"
    )
    scrap_rate: Decimal = field(
        "Expected scrap as a fraction (0.02 = 2 %)",
        "预计损耗率（0.02 即 2%）",
        example="0.02",
        ge=0,
        lt=1,
        default=Decimal(0),
        max_digits=7,
        decimal_places=6,
    )


class Bom(StandardModel):
    """A single-level bill of materials; multi-level structures arise as components have BOMs."""

    model_config = described_zh("单层物料清单；子件自身的物料清单构成多层结构。")

    standard_version: str = _VERSION
    owner_id: PartnerId = field(
        "Partner that makes the parent", "制造父件的伙伴", example="haichuan"
    )
    parent_code: Code = field(
        "Golden code of the parent material", "父件标准物料编码", example="FG-AC-35"
    )
    base_quantity: Quantity = field(
        "Parent quantity the component quantities refer to",
        "子件用量对应的父件基数",
        example="1",
        gt=0,
        default=Decimal(1),
    )
    valid_from: date = field("First day the BOM applies", "BOM 生效日期", example="2025-01-01")
    lines: list[BomLine] = lines_field(BomLine, "Components", "子件")


class WorkCentre(StandardModel):
    """A resource on which operations run: a line, a cell, a machine group."""

    model_config = described_zh("执行工序的资源：产线、单元或设备组。")

    standard_version: str = _VERSION
    partner_id: PartnerId = field(
        "Partner that runs the work centre", "工作中心所属伙伴", example="haichuan"
    )
    site_id: SiteId = field(
        "Site of the work centre", "工作中心所在场所", example="haichuan-foshan"
    )
    work_centre_id: Code = field(
        "Work-centre code, unique in its site", "工作中心编码", example="WC-ASSY-1"
    )
    name_zh: str = field(
        "Name in Chinese", "中文名称", example="总装一线", min_length=1, max_length=100
    )
    name_en: str = field(
        "Name in English", "英文名称", example="Final assembly line 1", min_length=1, max_length=100
    )
    machines: Whole = field(
        "Number of parallel machines or stations", "并行设备或工位数", example=1, ge=1, default=1
    )
    hours_per_day: Decimal = field(
        "Available hours per working day",
        "每个工作日可用小时数",
        example="16",
        gt=0,
        le=24,
        max_digits=5,
        decimal_places=2,
    )


class RoutingOperation(StandardModel):
    """One operation of a routing."""

    model_config = described_zh("工艺路线中的一道工序。")

    operation_no: Whole = field(
        "Operation number, in processing order", "工序号（按加工顺序）", example=10, ge=1
    )
    work_centre_id: Code = field(
        "Work centre that runs the operation", "执行工序的工作中心", example="WC-ASSY-1"
    )
    description: str = field(
        "What the operation does", "工序说明", example="总装", min_length=1, max_length=100
    )
    setup_minutes: Decimal = field(
        "Set-up time in minutes",
        "准备时间（分钟）",
        example="30",
        ge=0,
        max_digits=10,
        decimal_places=2,
    )
    run_minutes_per_unit: Decimal = field(
        "Run time per base unit in minutes",
        "单件加工时间（分钟）",
        example="1.5",
        ge=0,
        max_digits=10,
        decimal_places=4,
    )


class Routing(StandardModel):
    """The sequence of operations that makes a material at a site."""

    model_config = described_zh("在某场所制造某物料的工序顺序。")

    standard_version: str = _VERSION
    owner_id: PartnerId = field(
        "Partner that makes the material", "制造该物料的伙伴", example="haichuan"
    )
    site_id: SiteId = field("Site the routing applies to", "适用场所", example="haichuan-foshan")
    material_code: Code = field(
        "Golden code of the material made", "所制造物料的标准编码", example="FG-AC-35"
    )
    operations: list[RoutingOperation] = lines_field(
        RoutingOperation, "Operations in order", "工序列表"
    )
