"""How partners' ERPs describe the chain's materials: their own naming, not the golden names.

Each golden material has hand-written texts in three styles, as supplier master data writes
them: a Chinese ERP name (own product naming, abbreviations, spec order), an SAP short text
(upper case, at most 40 characters) and an English item description. A partner uses the style
of its ERP; which text, and the habits of its data entry (full-width characters, spacing,
packing or compliance notes, an occasional typo), are drawn once per (partner, material) from
the seed, so the same partner always writes the same description of a material.
"""

from __future__ import annotations

import random
import re
from typing import Final, NamedTuple


class Texts(NamedTuple):
    """A material as partners name it: Chinese ERP names, SAP short texts, English texts."""

    zh: tuple[str, ...]
    sap: tuple[str, ...]
    en: tuple[str, ...]


TEXTS: Final[dict[str, Texts]] = {
    "FG-AC-26": Texts(
        ("海川大1匹挂机KFR-26GW/N1 新一级变频冷暖", "KFR-26GW 壁挂式空调 1P 冷暖 R32 一级能效",
         "海川 挂式空调 大1P KFR-26GW（白）"),
        ("AC WALL KFR-26GW 1HP R32", "SPLIT AC KFR-26GW/N1 1P INV"),
        ("Split wall AC KFR-26GW 1 HP inverter", "Wall mount air-con KFR-26GW, 1HP, R32"),
    ),
    "FG-AC-35": Texts(
        ("海川1.5匹挂机KFR-35GW/N1 新一级变频冷暖", "KFR-35GW 壁挂式空调 1.5P 冷暖 R32 一级能效",
         "海川 挂式空调 正1.5P KFR-35GW（白）"),
        ("AC WALL KFR-35GW 1.5HP R32", "SPLIT AC KFR-35GW/N1 1.5P INV"),
        ("Split wall AC KFR-35GW 1.5 HP inverter", "Wall mount air-con KFR-35GW, 1.5HP, R32"),
    ),
    "FG-AC-72": Texts(
        ("海川3匹立柜式空调KFR-72LW/N1 变频冷暖", "KFR-72LW 柜机 3P 冷暖 R32 变频",
         "海川 立式空调 3P KFR-72LW 圆柱"),
        ("AC FLOOR KFR-72LW 3HP R32", "CABINET AC KFR-72LW/N1 3P INV"),
        ("Floor standing AC KFR-72LW 3 HP inverter", "Cabinet air-con KFR-72LW, 3HP, R32"),
    ),
    "FG-RF-450": Texts(
        ("海川450升对开门风冷无霜冰箱BCD-450WK", "BCD-450WK 对开门冰箱 450L 风冷",
         "海川 双开门冰箱 BCD-450WKPZM 星空灰"),
        ("REFRIG SBS BCD-450WK 450L", "FRIDGE SIDE BY SIDE BCD-450WK NF"),
        ("Side by side fridge BCD-450WK 450L no frost", "Refrigerator SxS BCD-450WK, 450 L"),
    ),
    "FG-RF-218": Texts(
        ("海川218升三门直冷冰箱BCD-218T", "BCD-218T 三门冰箱 218L 直冷 节能",
         "海川 三开门冰箱 BCD-218TD 银色"),
        ("REFRIG 3-DOOR BCD-218T 218L", "FRIDGE 3DR BCD-218T DIRECT COOL"),
        ("3-door fridge BCD-218T 218L", "Refrigerator three door BCD-218T, direct cool"),
    ),
    "FG-WM-100": Texts(
        ("海川10公斤滚筒洗衣机XQG100 直驱变频", "XQG100-14B 滚筒洗衣机 10KG 变频",
         "海川 全自动滚筒洗衣机 10kg XQG100 白色"),
        ("WASHER FRONT LOAD XQG100 10KG", "FL WASHING MACH XQG100 10KG DD"),
        ("Front loader washer XQG100 10 kg DD inverter", "Washing machine front-load XQG100, 10kg"),
    ),
    "SP-RC-01": Texts(
        ("空调遥控器YK-01 红外通用型", "YK01 空调遥控器 原装", "海川空调摇控器 YK-01"),
        ("REMOTE CTRL AC YK-01", "RC UNIT YK-01 IR"),
        ("A/C remote controller YK-01 IR", "Remote control for air conditioner YK-01"),
    ),
    "SP-HOSE-15": Texts(
        ("洗衣机进水管1.5米 4分口", "进水软管 1.5m 洗衣机用 4分", "洗衣机上水管 1500mm"),
        ("INLET HOSE WM 1.5M", "HOSE WATER INLET 1500MM"),
        ("Washer inlet hose 1.5m 3/4in", "Inlet water hose for washing machine, 1.5 m"),
    ),
    "M001": Texts(
        ("旋转式压缩机QX1.5P(R32) 1.5匹", "转子压缩机 QX-1.5P R32 1.5HP",
         "压缩机总成 QX-1.5P 1.5P 冷媒R32"),
        ("COMPR ROT QX-1.5P R32", "ROTARY COMPRESSOR QX1.5P 1.5HP"),
        ("Rotary compressor QX-1.5P 1.5HP", "Compressor, rotary, QX1.5P (R32)"),
    ),
    "M002": Texts(
        ("旋转式压缩机QX3P(R32) 3匹", "转子压缩机 QX-3P R32 3HP", "压缩机总成 QX-3P 3P 冷媒R32"),
        ("COMPR ROT QX-3P R32", "ROTARY COMPRESSOR QX3P 3HP"),
        ("Rotary compressor QX-3P 3HP", "Compressor, rotary, QX3P (R32)"),
    ),
    "M003": Texts(
        ("冰箱用往复式压缩机RF-120W R600a", "RF120W 冰箱压缩机 120W 异丁烷",
         "活塞式压缩机 RF-120W（R600a）"),
        ("COMPR RECIP RF-120W R600A", "FRIDGE COMPRESSOR RF120W"),
        ("Reciprocating compressor RF-120W R600a", "Fridge compressor RF120W, 120 W"),
    ),
    "M004": Texts(
        ("直流无刷风机电机ZWK-40W 310V", "DC风扇电机 ZWK40W 40W", "室内风机马达 ZWK-40W 直流 310V"),
        ("MOTOR FAN DC ZWK-40W 310V", "BLDC FAN MOTOR ZWK40W"),
        ("BLDC fan motor ZWK-40W 310V", "DC fan motor ZWK40W 40 W"),
    ),
    "M005": Texts(
        ("直驱电机DD-100 10KG滚筒用", "洗衣机直驱马达 DD100", "DD直驱变频电机 DD-100（10公斤）"),
        ("MOTOR DIRECT DRIVE DD-100", "DD MOTOR WASHER DD100"),
        ("Direct drive motor DD-100 for 10kg washer", "DD motor DD100, washer"),
    ),
    "M006": Texts(
        ("空调变频控制板PCB-AC-V3.2", "变频主板 PCB-AC-V3 双面板", "外机变频电控板 PCB-AC-V3"),
        ("PCB ASSY INVERTER AC-V3", "CTRL BOARD INV PCB-AC-V3"),
        ("Inverter control PCBA PCB-AC-V3 rev 3.2", "Inverter board PCB-AC-V3, double sided"),
    ),
    "M007": Texts(
        ("冰箱主控板PCB-RF-2 单片机", "主控电脑板 PCB-RF-2", "冰箱电脑板 PCBRF2"),
        ("PCB ASSY MAIN CTRL RF-2", "MAIN BOARD PCB-RF-2"),
        ("Main control PCBA PCB-RF-2", "Fridge main board PCB-RF-2 MCU"),
    ),
    "M008": Texts(
        ("蒸发器ZF-35 铜管铝翅片 内机", "室内机蒸发器 ZF35", "蒸发器组件 ZF-35（Cu/Al）"),
        ("EVAPORATOR ZF-35 CU/AL", "EVAP COIL ZF35"),
        ("Evaporator coil ZF-35 Cu tube Al fin", "Indoor evaporator ZF35"),
    ),
    "M009": Texts(
        ("冷凝器LN-35 双排 铜管铝翅片", "室外机冷凝器 LN35 两排", "冷凝器组件 LN-35（Cu/Al）"),
        ("CONDENSER LN-35 2ROW CU/AL", "COND COIL LN35"),
        ("Condenser coil LN-35 2-row", "Outdoor condenser LN35, Cu/Al"),
    ),
    "M010": Texts(
        ("空调外机壳体WJK-35 镀锌板喷粉", "外机钣金外壳 WJK35", "室外机外壳 WJK-35 喷塑 灰白"),
        ("CASING OUTDOOR UNIT WJK-35", "ODU CABINET WJK35 GALV"),
        ("Outdoor unit cabinet WJK-35, powder coated", "ODU casing WJK35 galvanized"),
    ),
    "M011": Texts(
        ("冰箱箱体XT-450 冷轧板 未发泡", "箱体总成 XT450（发泡前）", "冰箱外箱体 XT-450 钣金"),
        ("CABINET FRIDGE XT-450", "FRIDGE BODY XT450 CR STEEL"),
        ("Refrigerator cabinet shell XT-450", "Fridge body XT450, pre-foam"),
    ),
    "M012": Texts(
        ("空调内机面板MB-26 ABS 白", "面板 MB26 挂机用 白色", "室内机前面板 MB-26（ABS）"),
        ("PANEL FRONT IDU MB-26 ABS", "FRONT PANEL MB26 WHITE"),
        ("Indoor unit front panel MB-26 ABS white", "Front cover MB26, ABS"),
    ),
    "M013": Texts(
        ("洗衣机外筒WT-100 PP注塑", "外桶 WT100 滚筒10公斤", "盛水桶 WT-100（PP）"),
        ("TUB OUTER WT-100 PP", "OUTER TUB WASHER WT100"),
        ("Washer outer tub WT-100 PP", "Outer drum WT100, injection PP"),
    ),
    "M014": Texts(
        ("铜管组件TG-35 Φ9.52 带保温棉", "连接管组件 TG35 含保温", "铜配管 TG-35 φ9.52"),
        ("PIPE ASSY CU TG-35 D9.52", "COPPER TUBE ASSY TG35"),
        ("Copper pipe assy TG-35 9.52mm insulated", "Cu piping kit TG35"),
    ),
    "M015": Texts(
        ("十字盘头螺丝M4*12 SUS304", "不锈钢十字圆头螺钉 M4X12", "SUS304盘头机丝 M4×12"),
        ("SCREW PAN HD M4X12 SS304", "SCREW M4*12 SUS304 CROSS"),
        ("Pan head screw M4x12 SS304", "Phillips pan screw M4 x 12, stainless"),
    ),
    "M016": Texts(
        ("包装纸箱AC-35 五层瓦楞", "外箱 AC35 5层 空调用", "五层瓦楞纸箱 AC-35 K=K"),
        ("CARTON 5PLY AC-35", "BOX CORRUGATED AC35"),
        ("5-ply carton AC-35", "Corrugated box AC35, 5 ply"),
    ),
    "M017": Texts(
        ("EPS护角 20kg/m3", "泡沫护角 EPS 密度20", "保丽龙护角（EPS）"),
        ("CORNER PROTECTOR EPS", "EPS FOAM CORNER 20KG/M3"),
        ("EPS corner protector 20 kg/m3", "Foam corner guard, EPS"),
    ),
    "M018": Texts(
        ("电子膨胀阀EEV-1.8 口径1.8mm", "电膨阀 EEV1.8", "膨胀阀 EEV-1.8（含线圈）"),
        ("VALVE EXPANSION ELEC EEV-1.8", "EEV 1.8MM"),
        ("Electronic expansion valve EEV-1.8 1.8mm", "EEV 1.8 mm orifice"),
    ),
    "M019": Texts(
        ("电源线束XS-01 3×1.0平方 1.8米", "电源线组件 XS01 3芯1.0mm2 1.8m",
         "电源连接线 XS-01（1.8M）"),
        ("HARNESS POWER XS-01 3X1.0", "POWER CORD ASSY XS01 1.8M"),
        ("Power harness XS-01 3x1.0mm2 1.8m", "Power cord assy XS01"),
    ),
    "R101": Texts(
        ("冷轧板SPCC 0.8*1250*C", "冷板 SPCC δ0.8", "SPCC冷轧钢卷 0.8mm×1250mm"),
        ("SHEET CR SPCC 0.8X1250", "CR STEEL SPCC 0.8MM COIL"),
        ("CR steel coil SPCC 0.8 x 1250", "Cold rolled sheet SPCC t=0.8mm"),
    ),
    "R102": Texts(
        ("镀锌卷 DX51D+Z80 0.6mm", "热镀锌板 DX51D δ0.6", "镀锌钢板 DX51D 0.6*1219"),
        ("SHEET GALV DX51D+Z80 0.6MM", "GI COIL DX51D 0.6"),
        ("Galvanized coil DX51D+Z80 0.6mm", "GI sheet DX51D t0.6"),
    ),
    "R103": Texts(
        ("紫铜管TP2 9.52*0.35", "空调铜管 Φ9.52×0.35 TP2", "TP2盘管 φ9.52"),
        ("TUBE CU TP2 9.52X0.35", "COPPER TUBE TP2 D9.52"),
        ("Copper tube TP2 9.52 x 0.35mm", "Cu pipe TP2 OD9.52"),
    ),
    "R104": Texts(
        ("漆包铜圆线QZY-2/180 Φ0.5", "聚酯亚胺漆包线 0.5mm", "漆包线 QZY 0.50"),
        ("WIRE ENAMELLED QZY-2/180 0.5", "MAGNET WIRE CU 0.5MM"),
        ("Enamelled copper wire QZY-2/180 0.5mm", "Magnet wire 0.50 mm class 180"),
    ),
    "R105": Texts(
        ("ABS塑胶原料757 本色", "ABS 757 颗粒", "ABS树脂 PA-757"),
        ("ABS RESIN 757 NATURAL", "RESIN ABS PA-757"),
        ("ABS resin 757 natural", "ABS pellets PA-757"),
    ),
    "R106": Texts(
        ("PP粒料K8003 抗冲共聚", "聚丙烯 K8003", "PP塑料粒子 K8003"),
        ("RESIN PP K8003 COPOLYMER", "PP IMPACT COPO K8003"),
        ("PP copolymer K8003", "Polypropylene resin K8003"),
    ),
    "R107": Texts(
        ("烧结钕铁硼 N35 镀锌", "钕铁硼磁钢 N35 Zn", "NdFeB磁钢 N35"),
        ("MAGNET NDFEB N35 ZN", "NDFEB MAGNET N35"),
        ("Sintered NdFeB magnet N35 Zn plated", "Neodymium magnet N35"),
    ),
    "R108": Texts(
        ("32位单片机 MCU-32 LQFP64", "主控IC MCU32", "MCU芯片 MCU-32（LQFP-64）"),
        ("IC MCU 32BIT LQFP64", "MICROCONTROLLER MCU-32"),
        ("32-bit MCU MCU-32 LQFP64", "Microcontroller IC MCU32"),
    ),
    "R109": Texts(
        ("智能功率模块IPM 15A/600V", "IGBT模块 IPM-15A", "IPM功率模块 15A 600V"),
        ("MODULE IGBT IPM-15A 600V", "IPM 15A 600V"),
        ("IGBT power module IPM-15A 600V", "Intelligent power module 15A/600V"),
    ),
    "R110": Texts(
        ("瓦楞原纸 120克 AA级", "瓦楞芯纸 120g/㎡", "高强瓦楞纸 120G"),
        ("PAPER CORRUGATING MEDIUM 120G", "FLUTING PAPER 120GSM"),
        ("Corrugating medium 120gsm", "Fluting paper 120 g/m2 grade AA"),
    ),
    "R111": Texts(
        ("304不锈钢线材 Φ3.5", "不锈钢冷镦线 SUS304 3.5mm", "SUS304线材 φ3.5（盘条）"),
        ("WIRE ROD SS304 3.5MM", "SUS304 WIRE D3.5"),
        ("Stainless wire SUS304 3.5mm", "SS304 cold heading wire 3.5 mm"),
    ),
    "R112": Texts(
        ("亲水铝箔 8011-H22 0.1mm", "空调翅片铝箔 8011 δ0.10", "铝箔 8011 0.1（亲水）"),
        ("FOIL ALU 8011-H22 0.1MM HYDRO", "FIN STOCK AL 8011 0.10"),
        ("Hydrophilic Al fin foil 8011 0.1mm", "Aluminium fin stock 8011-H22, 0.10 mm"),
    ),
}  # fmt: skip

# Notes data entry adds after the name: compliance and drawings for anything, packing for parts
# counted in pieces and for goods bought by weight.
_NOTES: Final = {
    "zh": ("（RoHS）", " 环保", "（按图纸）", " 国产"),
    "sap": (" ROHS", " DWG"),
    "en": (", RoHS", " (per drawing)"),
}
_PACKING: Final = {
    ("zh", "H87"): ("（10只/箱）", "（50PCS/箱）"),
    ("zh", "KGM"): ("（25kg/袋）", " 散装"),
    ("sap", "H87"): (" PKG10",),
    ("sap", "KGM"): (" BAG25KG",),
    ("en", "H87"): (" - 10 pcs/box",),
    ("en", "KGM"): (", 25kg bag",),
}
# Pinyin input slips: a character typed as another of the same sound.
_HOMOPHONES: Final = {"器": "气", "缩": "索", "板": "版", "箱": "厢", "铜": "同", "控": "空",
                      "阀": "伐", "管": "馆", "线": "限", "塑": "素"}  # fmt: skip
_FULL_WIDTH: Final = str.maketrans(
    {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)} | {" ": "\u3000"}
)
_SAP_LENGTH: Final = 40  # MAKTX holds 40 characters
_LETTERS_RE: Final = re.compile(r"\b[A-Za-z]{6,}\b")
_DECIMAL_RE: Final = re.compile(r"(?<=\d)\.(?=\d)")
_CJK_SPACE_RE: Final = re.compile(r"(?<=[\u4e00-\u9fff）]) +| +(?=[\u4e00-\u9fff（])")


def _english_typo(text: str, rng: random.Random) -> str:
    """Two neighbouring letters of one longer word swapped."""
    words = list(_LETTERS_RE.finditer(text))
    if not words:
        return text
    word = rng.choice(words)
    k = rng.randrange(word.start() + 1, word.end() - 2)
    return text[:k] + text[k + 1] + text[k] + text[k + 2 :]


def _chinese_typo(text: str, rng: random.Random) -> str:
    """One character typed as a homophone."""
    found = [k for k, ch in enumerate(text) if ch in _HOMOPHONES]
    if not found:
        return text
    k = rng.choice(found)
    return text[:k] + _HOMOPHONES[text[k]] + text[k + 1 :]


def describe(
    *,
    seed: int,
    partner_id: str,
    material: str,
    packed: str | None,
    style: str,
    full_width: float,
    decimal_comma: bool,
) -> str:
    """A partner's own description of a golden material, stable per (seed, partner, material).

    `packed` is the base unit when packing may be noted (None for finished goods), `style`
    the ERP's words (zh, sap or en), `full_width` the chance that its users type Latin
    letters and digits in full width, `decimal_comma` whether they write 0,8 for 0.8.
    """
    rng = random.Random(f"description-{seed}-{partner_id}-{material}")  # noqa: S311 - a seeded simulation
    texts = TEXTS[material]
    text = rng.choice(texts.zh if style == "zh" else texts.sap if style == "sap" else texts.en)
    if rng.random() < 0.25:
        text += rng.choice(_NOTES[style] + _PACKING.get((style, packed or ""), ()))
    if rng.random() < 0.12:
        text = _chinese_typo(text, rng) if style == "zh" else _english_typo(text, rng)
    if style == "zh":
        if rng.random() < 0.25:
            text = _CJK_SPACE_RE.sub("", text)
        if rng.random() < full_width:
            text = text.translate(_FULL_WIDTH)
    elif style == "sap":
        text = text.upper()[:_SAP_LENGTH].rstrip()
        if decimal_comma and rng.random() < 0.6:
            text = _DECIMAL_RE.sub(",", text)
    elif rng.random() < 0.15:
        text = text.upper()
    return text
