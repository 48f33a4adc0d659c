"""Fixed catalogue of the simulated chain: cities, companies, materials and bills of materials."""

from __future__ import annotations

from typing import Final, NamedTuple


class City(NamedTuple):
    """A real Chinese city: pinyin slug, province and administrative division code."""

    slug: str
    province: str
    admin_code: str


CITIES: Final[dict[str, City]] = {
    "佛山": City("foshan", "广东", "440600"),
    "合肥": City("hefei", "安徽", "340100"),
    "芜湖": City("wuhu", "安徽", "340200"),
    "常州": City("changzhou", "江苏", "320400"),
    "宁波": City("ningbo", "浙江", "330200"),
    "深圳": City("shenzhen", "广东", "440300"),
    "无锡": City("wuxi", "江苏", "320200"),
    "中山": City("zhongshan", "广东", "442000"),
    "嘉兴": City("jiaxing", "浙江", "330400"),
    "东莞": City("dongguan", "广东", "441900"),
    "上海": City("shanghai", "上海", "310000"),
    "天津": City("tianjin", "天津", "120000"),
    "成都": City("chengdu", "四川", "510100"),
    "武汉": City("wuhan", "湖北", "420100"),
    "广州": City("guangzhou", "广东", "440100"),
    "鹰潭": City("yingtan", "江西", "360600"),
    "包头": City("baotou", "内蒙古", "150200"),
    "江门": City("jiangmen", "广东", "440700"),
    "唐山": City("tangshan", "河北", "130200"),
    "郑州": City("zhengzhou", "河南", "410100"),
    "杭州": City("hangzhou", "浙江", "330100"),
    "苏州": City("suzhou", "江苏", "320500"),
    "青岛": City("qingdao", "山东", "370200"),
    "重庆": City("chongqing", "重庆", "500000"),
    "南京": City("nanjing", "江苏", "320100"),
    "西安": City("xian", "陕西", "610100"),
    "长沙": City("changsha", "湖南", "430100"),
    "济南": City("jinan", "山东", "370100"),
    "昆明": City("kunming", "云南", "530100"),
    "南宁": City("nanning", "广西", "450100"),
    "福州": City("fuzhou", "福建", "350100"),
    "沈阳": City("shenyang", "辽宁", "210100"),
}


class CompanySpec(NamedTuple):
    """A fictional company of the small chain and how its ERP writes files."""

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


OEM_ID: Final = "haichuan"

COMPANIES: Final[tuple[CompanySpec, ...]] = (
    CompanySpec(OEM_ID, "海川电器股份有限公司", "Haichuan Appliances Co., Ltd.", "oem", 0,
                "佛山", "sap_s4", "golden", "HC", "month", 0),
    CompanySpec("huayang-compressor", "华阳压缩机有限公司", "Huayang Compressor Co., Ltd.",
                "supplier", 1, "芜湖", "kingdee_xlsx", "mat", "HY", "month", 3),
    CompanySpec("taihe-kessler", "泰和凯斯勒压缩机（常州）有限公司",
                "Taihe Kessler Compressors (Changzhou) Co., Ltd.", "supplier", 1, "常州",
                "sap_de", "sap_num", "TK", "month", 3),
    CompanySpec("jinli-motor", "金力电机有限公司", "Jinli Motor Co., Ltd.", "supplier", 1, "宁波",
                "yonyou_gbk", "yonyou", "JL", "year", 3),
    CompanySpec("xinrui-electronics", "鑫瑞电子科技有限公司", "Xinrui Electronics Technology Co., Ltd.",
                "supplier", 1, "深圳", "english_tab", "prefix", "XR", "year", 2),
    CompanySpec("jiahe-heat-exchange", "佳和换热器有限公司", "Jiahe Heat Exchanger Co., Ltd.",
                "supplier", 1, "无锡", "u8_xlsx", "kingdee", "JH", "month", 3),
    CompanySpec("hongda-sheet-metal", "宏达钣金制品有限公司", "Hongda Sheet Metal Products Co., Ltd.",
                "supplier", 1, "中山", "excel_zh_csv", "prefix", "HD", "year", 1),
    CompanySpec("meiyu-plastics", "美宇塑胶制品有限公司", "Meiyu Plastic Products Co., Ltd.",
                "supplier", 1, "宁波", "legacy_gb18030", "yonyou", "MY", "year", 3),
    CompanySpec("hengtong-pipe", "恒通管件有限公司", "Hengtong Pipe Fittings Co., Ltd.",
                "supplier", 1, "嘉兴", "yonyou_gbk", "kingdee", "HT", "year", 3),
    CompanySpec("fuxing-fasteners", "福星紧固件有限公司", "Fuxing Fasteners Co., Ltd.", "supplier", 1,
                "嘉兴", "kingdee_xlsx", "mat", "FX", "month", 3),
    CompanySpec("lianfa-packaging", "联发包装材料有限公司", "Lianfa Packaging Materials Co., Ltd.",
                "supplier", 1, "东莞", "excel_zh_csv", "kingdee", "LF", "year", 1),
    CompanySpec("kaida-valve", "凯达阀门科技有限公司", "Kaida Valve Technology Co., Ltd.",
                "supplier", 1, "杭州", "sap_de", "sap_num", "KD", "year", 3),
    CompanySpec("ruida-harness", "瑞达线束有限公司", "Ruida Wire Harness Co., Ltd.", "supplier", 1,
                "芜湖", "legacy_gb18030", "prefix", "RD", "year", 2),
    CompanySpec("dongfang-steel", "东方钢铁股份有限公司", "Dongfang Iron & Steel Co., Ltd.",
                "supplier", 2, "武汉", "sap_s4", "sap_num", "DF", "year", 3),
    CompanySpec("jiangxin-copper", "江鑫铜业有限公司", "Jiangxin Copper Co., Ltd.", "supplier", 2,
                "鹰潭", "yonyou_gbk", "yonyou", "JX", "year", 3),
    CompanySpec("huanan-resin", "华南树脂有限公司", "Huanan Resin Co., Ltd.", "supplier", 2, "广州",
                "kingdee_xlsx", "kingdee", "HN", "month", 2),
    CompanySpec("zhongci-magnet", "中磁磁材有限公司", "Zhongci Magnetics Co., Ltd.", "supplier", 2,
                "包头", "excel_zh_csv", "prefix", "ZC", "year", 4),
    CompanySpec("xinyuan-chip", "芯源半导体有限公司", "Xinyuan Semiconductor Co., Ltd.", "supplier",
                2, "无锡", "english_tab", "prefix", "XY", "year", 2),
    CompanySpec("baoli-paper", "宝丽纸业有限公司", "Baoli Paper Co., Ltd.", "supplier", 2, "江门",
                "legacy_gb18030", "mat", "BL", "year", 2),
    CompanySpec("jinhua-wire", "金华线材有限公司", "Jinhua Wire Rod Co., Ltd.", "supplier", 2, "唐山",
                "u8_xlsx", "yonyou", "JW", "month", 4),
    CompanySpec("haiyang-aluminium", "海洋铝业有限公司", "Haiyang Aluminium Co., Ltd.", "supplier",
                2, "郑州", "sap_de", "sap_num", "HA", "year", 3),
    CompanySpec("huadong-trading", "华东家电商贸有限公司", "East China Appliance Trading Co., Ltd.",
                "distributor", 1, "上海", "kingdee_xlsx", "kingdee", "HX", "month", 2),
    CompanySpec("jingjin-electric", "京津电器销售有限公司", "Jingjin Electric Sales Co., Ltd.",
                "distributor", 1, "天津", "yonyou_gbk", "yonyou", "JJ", "year", 3),
    CompanySpec("xinan-home", "西南家居电器有限公司", "Southwest Home Appliances Co., Ltd.",
                "distributor", 1, "成都", "excel_zh_csv", "mat", "XN", "year", 3),
    CompanySpec("huazhong-retail", "华中电器连锁有限公司", "Central China Electric Retail Co., Ltd.",
                "distributor", 1, "武汉", "english_tab", "prefix", "HZ", "year", 2),
    CompanySpec("lingnan-appliance", "岭南家电贸易有限公司", "Lingnan Appliance Trading Co., Ltd.",
                "distributor", 1, "广州", "legacy_gb18030", "kingdee", "LN", "year", 1),
)

NAMED_PARTNERS: Final[tuple[str, ...]] = tuple(c.partner_id for c in COMPANIES)

GRAM_WRITERS: Final[frozenset[str]] = frozenset({"zhongci-magnet"})

OEM_PLANTS: Final[tuple[tuple[str, str, str, str], ...]] = (
    ("佛山", "海川佛山空调工厂", "Haichuan Foshan Air-Conditioner Plant", "1010"),
    ("合肥", "海川合肥冰洗工厂", "Haichuan Hefei Refrigerator & Laundry Plant", "1020"),
)


class MaterialSpec(NamedTuple):
    """A golden material: code, descriptions, category, base unit, spec, weight and price."""

    code: str
    name_zh: str
    name_en: str
    category: str
    unit: str
    spec: str
    weight_kg: str
    price: str


MATERIALS: Final[tuple[MaterialSpec, ...]] = (
    MaterialSpec("FG-AC-26", "挂壁式空调 KFR-26GW 大1匹", "Wall-mounted air conditioner KFR-26GW 1HP",
                 "finished", "H87", "1匹 R32 新一级能效", "38.5", "2199"),
    MaterialSpec("FG-AC-35", "挂壁式空调 KFR-35GW 1.5匹", "Wall-mounted air conditioner KFR-35GW 1.5HP",
                 "finished", "H87", "1.5匹 R32 新一级能效", "42.0", "2699"),
    MaterialSpec("FG-AC-72", "柜式空调 KFR-72LW 3匹", "Floor-standing air conditioner KFR-72LW 3HP",
                 "finished", "H87", "3匹 R32 变频", "96.0", "5999"),
    MaterialSpec("FG-RF-450", "对开门冰箱 BCD-450WK", "Side-by-side refrigerator BCD-450WK",
                 "finished", "H87", "450升 风冷无霜", "88.0", "3299"),
    MaterialSpec("FG-RF-218", "三门冰箱 BCD-218T", "Three-door refrigerator BCD-218T", "finished",
                 "H87", "218升 直冷", "52.0", "1599"),
    MaterialSpec("FG-WM-100", "滚筒洗衣机 XQG100 10公斤", "Front-load washing machine XQG100 10kg",
                 "finished", "H87", "10公斤 直驱变频", "71.0", "2499"),
    MaterialSpec("SP-RC-01", "空调遥控器 YK-01", "Air-conditioner remote control YK-01",
                 "spare_part", "H87", "红外 通用", "0.12", "35"),
    MaterialSpec("SP-HOSE-15", "洗衣机进水管 1.5m", "Washing-machine inlet hose 1.5 m", "spare_part",
                 "H87", "1.5米 4分接口", "0.35", "28"),
    MaterialSpec("M001", "压缩机 QX-1.5P", "Rotary compressor QX-1.5P", "component", "H87",
                 "1.5匹 R32", "9.8", "420"),
    MaterialSpec("M002", "压缩机 QX-3P", "Rotary compressor QX-3P", "component", "H87", "3匹 R32",
                 "17.5", "780"),
    MaterialSpec("M003", "冰箱压缩机 RF-120W", "Refrigerator compressor RF-120W", "component", "H87",
                 "120W R600a", "7.2", "310"),
    MaterialSpec("M004", "直流风机电机 ZWK-40W", "DC fan motor ZWK-40W", "component", "H87",
                 "40W 310V", "1.1", "85"),
    MaterialSpec("M005", "洗衣机直驱电机 DD-100", "Direct-drive washer motor DD-100", "component",
                 "H87", "10公斤 直驱", "6.5", "360"),
    MaterialSpec("M006", "变频控制板 PCB-AC-V3", "Inverter control board PCB-AC-V3", "component",
                 "H87", "V3.2 双面板", "0.45", "165"),
    MaterialSpec("M007", "主控板 PCB-RF-2", "Main control board PCB-RF-2", "component", "H87",
                 "单片机控制", "0.25", "92"),
    MaterialSpec("M008", "蒸发器 ZF-35", "Evaporator ZF-35", "component", "H87", "铜管铝翅片",
                 "3.1", "138"),
    MaterialSpec("M009", "冷凝器 LN-35", "Condenser LN-35", "component", "H87", "双排 铜管铝翅片",
                 "4.6", "186"),
    MaterialSpec("M010", "空调外机壳 WJK-35", "Outdoor unit casing WJK-35", "component", "H87",
                 "镀锌板 喷粉", "5.2", "96"),
    MaterialSpec("M011", "冰箱箱体 XT-450", "Refrigerator cabinet XT-450", "component", "H87",
                 "冷轧板 发泡前", "24.0", "420"),
    MaterialSpec("M012", "空调面板 MB-26", "Indoor unit front panel MB-26", "component", "H87",
                 "ABS 白色", "1.1", "38"),
    MaterialSpec("M013", "洗衣机外桶 WT-100", "Washer outer tub WT-100", "component", "H87",
                 "PP 注塑", "3.6", "74"),
    MaterialSpec("M014", "铜管组件 TG-35", "Copper pipe assembly TG-35", "component", "H87",
                 "Φ9.52 含保温", "1.0", "66"),
    MaterialSpec("M015", "不锈钢螺钉 M4×12", "Stainless steel screw M4×12", "component", "H87",
                 "SUS304 十字盘头", "0.002", "0.08"),
    MaterialSpec("M016", "包装纸箱 AC-35", "Corrugated carton AC-35", "packaging", "H87",
                 "五层瓦楞", "1.05", "12.5"),
    MaterialSpec("M017", "EPS泡沫护角", "EPS foam corner protector", "packaging", "H87",
                 "EPS 20kg/m3", "0.3", "3.2"),
    MaterialSpec("M018", "电子膨胀阀 EEV-1.8", "Electronic expansion valve EEV-1.8", "component",
                 "H87", "1.8mm 口径", "0.18", "58"),
    MaterialSpec("M019", "电源线束 XS-01", "Power wire harness XS-01", "component", "H87",
                 "3×1.0平方 1.8米", "0.25", "15"),
    MaterialSpec("R101", "冷轧钢板 SPCC 0.8mm", "Cold-rolled steel sheet SPCC 0.8 mm", "raw", "KGM",
                 "SPCC 0.8×1250", "1", "5.4"),
    MaterialSpec("R102", "镀锌板 DX51D 0.6mm", "Galvanised steel sheet DX51D 0.6 mm", "raw", "KGM",
                 "DX51D+Z80", "1", "5.9"),
    MaterialSpec("R103", "紫铜管 TP2 Φ9.52", "Copper tube TP2 Φ9.52", "raw", "KGM", "TP2 Φ9.52×0.35",
                 "1", "72"),
    MaterialSpec("R104", "漆包线 QZY-0.5", "Enamelled copper wire QZY-0.5", "raw", "KGM",
                 "QZY-2/180 0.5mm", "1", "78"),
    MaterialSpec("R105", "ABS颗粒 757", "ABS resin pellets 757", "raw", "KGM", "757 本色", "1",
                 "13.5"),
    MaterialSpec("R106", "PP颗粒 K8003", "PP resin pellets K8003", "raw", "KGM", "K8003 抗冲共聚",
                 "1", "8.6"),
    MaterialSpec("R107", "钕铁硼磁钢 N35", "NdFeB magnet N35", "raw", "KGM", "N35 镀锌", "1", "380"),
    MaterialSpec("R108", "主控芯片 MCU-32", "Microcontroller MCU-32", "raw", "H87", "32位 LQFP64",
                 "0.002", "6.8"),
    MaterialSpec("R109", "IGBT模块 IPM-15A", "IGBT module IPM-15A", "raw", "H87", "15A 600V",
                 "0.02", "24"),
    MaterialSpec("R110", "瓦楞原纸 120g", "Corrugating medium 120 g/m2", "raw", "KGM", "AA级 120g",
                 "1", "3.9"),
    MaterialSpec("R111", "不锈钢线材 SUS304 Φ3.5", "Stainless wire rod SUS304 Φ3.5", "raw", "KGM",
                 "SUS304 Φ3.5", "1", "16.8"),
    MaterialSpec("R112", "空调铝箔 8011 0.1mm", "Fin aluminium foil 8011 0.1 mm", "raw", "KGM",
                 "8011-H22 亲水", "1", "24.5"),
)

SOURCES: Final[dict[str, tuple[tuple[str, int], ...]]] = {
    "M001": (("huayang-compressor", 60), ("taihe-kessler", 40)),
    "M002": (("huayang-compressor", 100),),
    "M003": (("huayang-compressor", 100),),
    "M004": (("jinli-motor", 100),),
    "M005": (("jinli-motor", 100),),
    "M006": (("xinrui-electronics", 100),),
    "M007": (("xinrui-electronics", 100),),
    "SP-RC-01": (("xinrui-electronics", 100),),
    "M008": (("jiahe-heat-exchange", 100),),
    "M009": (("jiahe-heat-exchange", 100),),
    "M010": (("hongda-sheet-metal", 100),),
    "M011": (("hongda-sheet-metal", 100),),
    "M012": (("meiyu-plastics", 100),),
    "M013": (("meiyu-plastics", 100),),
    "SP-HOSE-15": (("meiyu-plastics", 100),),
    "M014": (("hengtong-pipe", 100),),
    "M015": (("fuxing-fasteners", 100),),
    "M016": (("lianfa-packaging", 100),),
    "M017": (("lianfa-packaging", 100),),
    "M018": (("kaida-valve", 100),),
    "M019": (("ruida-harness", 100),),
    "R101": (("dongfang-steel", 100),),
    "R102": (("dongfang-steel", 100),),
    "R103": (("jiangxin-copper", 100),),
    "R104": (("jiangxin-copper", 100),),
    "R105": (("huanan-resin", 100),),
    "R106": (("huanan-resin", 100),),
    "R107": (("zhongci-magnet", 100),),
    "R108": (("xinyuan-chip", 100),),
    "R109": (("xinyuan-chip", 100),),
    "R110": (("baoli-paper", 100),),
    "R111": (("jinhua-wire", 100),),
    "R112": (("haiyang-aluminium", 100),),
}

_AC: Final = (("M004", "2", "0"), ("M006", "1", "0"), ("M008", "1", "0"), ("M009", "1", "0"),
              ("M010", "1", "0"), ("M012", "1", "0.005"), ("M016", "1", "0.01"),
              ("M018", "1", "0"), ("M019", "1", "0"), ("SP-RC-01", "1", "0"))

BOMS: Final[dict[str, tuple[str, tuple[tuple[str, str, str], ...]]]] = {
    "FG-AC-26": ("1", (("M001", "1", "0"), *_AC, ("M014", "1", "0"), ("M015", "24", "0.02"),
                       ("M017", "2", "0.01"))),
    "FG-AC-35": ("1", (("M001", "1", "0"), *_AC, ("M014", "1", "0"), ("M015", "26", "0.02"),
                       ("M017", "2", "0.01"))),
    "FG-AC-72": ("1", (("M002", "1", "0"), *_AC, ("M014", "2", "0"), ("M015", "36", "0.02"),
                       ("M017", "3", "0.01"))),
    "FG-RF-450": ("1", (("M003", "1", "0"), ("M004", "1", "0"), ("M007", "1", "0"),
                        ("M008", "1", "0"), ("M009", "1", "0"), ("M011", "1", "0"),
                        ("M015", "40", "0.02"), ("M016", "1", "0.01"), ("M017", "4", "0.01"),
                        ("M019", "1", "0"))),
    "FG-RF-218": ("1", (("M003", "1", "0"), ("M007", "1", "0"), ("M011", "1", "0"),
                        ("M015", "30", "0.02"), ("M016", "1", "0.01"), ("M017", "3", "0.01"),
                        ("M019", "1", "0"))),
    "FG-WM-100": ("1", (("M005", "1", "0"), ("M007", "1", "0"), ("M013", "1", "0.005"),
                        ("M015", "28", "0.02"), ("M016", "1", "0.01"), ("M017", "2", "0.01"),
                        ("M019", "1", "0"))),
    "M001": ("1", (("R101", "4.2", "0.03"), ("R104", "0.9", "0.01"), ("R107", "0.12", "0"),
                   ("R103", "0.3", "0.02"))),
    "M002": ("1", (("R101", "7.5", "0.03"), ("R104", "1.6", "0.01"), ("R107", "0.25", "0"),
                   ("R103", "0.5", "0.02"))),
    "M003": ("1", (("R101", "3.1", "0.03"), ("R104", "0.6", "0.01"), ("R103", "0.2", "0.02"))),
    "M004": ("1", (("R101", "0.6", "0.02"), ("R104", "0.25", "0.01"), ("R107", "0.05", "0"))),
    "M005": ("1", (("R101", "2.4", "0.02"), ("R104", "1.1", "0.01"), ("R107", "0.4", "0"))),
    "M006": ("1", (("R108", "1", "0"), ("R109", "1", "0"))),
    "M007": ("1", (("R108", "1", "0"),)),
    "SP-RC-01": ("1", (("R108", "1", "0"), ("R105", "0.08", "0.02"))),
    "M008": ("1", (("R103", "1.8", "0.02"), ("R112", "0.9", "0.04"))),
    "M009": ("1", (("R103", "2.6", "0.02"), ("R112", "1.4", "0.04"))),
    "M010": ("1", (("R102", "5.5", "0.05"),)),
    "M011": ("1", (("R101", "18", "0.04"), ("R105", "6.5", "0.02"))),
    "M012": ("1", (("R105", "1.2", "0.03"),)),
    "M013": ("1", (("R106", "3.8", "0.03"),)),
    "SP-HOSE-15": ("1", (("R106", "0.35", "0.02"),)),
    "M014": ("1", (("R103", "1.1", "0.02"),)),
    "M015": ("1000", (("R111", "1.6", "0.03"),)),
    "M016": ("1", (("R110", "1.1", "0.02"),)),
    "M017": ("1", (("R106", "0.3", "0.02"),)),
    "M018": ("1", (("R103", "0.15", "0.02"), ("R107", "0.03", "0"))),
    "M019": ("1", (("R104", "0.2", "0.01"), ("R106", "0.05", "0.02"))),
}

FG_PLANT: Final[dict[str, str]] = {
    "FG-AC-26": "佛山", "FG-AC-35": "佛山", "FG-AC-72": "佛山", "SP-RC-01": "佛山",
    "FG-RF-450": "合肥", "FG-RF-218": "合肥", "FG-WM-100": "合肥", "SP-HOSE-15": "合肥",
}

SALEABLE: Final[tuple[str, ...]] = (
    "FG-AC-26", "FG-AC-35", "FG-AC-72", "FG-RF-450", "FG-RF-218", "FG-WM-100", "SP-RC-01",
    "SP-HOSE-15",
)

CARRIERS: Final[tuple[str, ...]] = ("顺丰速运", "德邦物流", "中通快运", "安能物流", "京东物流")

DEALER_WORDS: Final[tuple[tuple[str, str], ...]] = (
    ("鑫盛", "Xinsheng"), ("恒达", "Hengda"), ("联华", "Lianhua"), ("永安", "Yong'an"),
    ("百顺", "Baishun"), ("金桥", "Jinqiao"), ("和美", "Hemei"), ("万家", "Wanjia"),
)
