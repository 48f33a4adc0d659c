"""CBV 2.0 and GS1 vocabularies: the bare words EPCIS JSON may use, and their web URIs.

The words are those of the EPCIS 2.0 JSON-LD context (epcis-context.jsonld).
"""

from __future__ import annotations

from typing import Final

BIZ_STEPS: Final = frozenset(
    (
        "accepting",
        "arriving",
        "assembling",
        "collecting",
        "commissioning",
        "consigning",
        "creating_class_instance",
        "cycle_counting",
        "decommissioning",
        "departing",
        "destroying",
        "disassembling",
        "dispensing",
        "encoding",
        "entering_exiting",
        "holding",
        "inspecting",
        "installing",
        "killing",
        "loading",
        "other",
        "packing",
        "picking",
        "receiving",
        "removing",
        "repackaging",
        "repairing",
        "replacing",
        "reserving",
        "retail_selling",
        "sampling",
        "sensor_reporting",
        "shipping",
        "staging_outbound",
        "stock_taking",
        "stocking",
        "storing",
        "transporting",
        "unloading",
        "unpacking",
        "void_shipping",
    )
)

DISPOSITIONS: Final = frozenset(
    (
        "active",
        "available",
        "completeness_verified",
        "completeness_inferred",
        "conformant",
        "container_closed",
        "container_open",
        "damaged",
        "destroyed",
        "dispensed",
        "disposed",
        "encoded",
        "expired",
        "in_progress",
        "in_transit",
        "inactive",
        "mismatch_instance",
        "mismatch_class",
        "mismatch_quantity",
        "needs_replacement",
        "no_pedigree_match",
        "non_conformant",
        "non_sellable_other",
        "partially_dispensed",
        "recalled",
        "reserved",
        "retail_sold",
        "returned",
        "sellable_accessible",
        "sellable_not_accessible",
        "stolen",
        "unavailable",
        "unknown",
    )
)

SOURCE_DEST_TYPES: Final = frozenset(
    (
        "owning_party",
        "possessing_party",
        "location",
    )
)

BIZ_TRANSACTION_TYPES: Final = frozenset(
    (
        "bol",
        "cert",
        "desadv",
        "inv",
        "pedigree",
        "po",
        "poc",
        "prodorder",
        "recadv",
        "rma",
        "testprd",
        "testres",
        "upevt",
    )
)

MEASUREMENT_TYPES: Final = frozenset(
    (
        "AbsoluteHumidity",
        "AbsorbedDose",
        "AbsorbedDoseRate",
        "Acceleration",
        "Radioactivity",
        "Altitude",
        "AmountOfSubstance",
        "AmountOfSubstancePerUnitVolume",
        "Angle",
        "AngularAcceleration",
        "AngularMomentum",
        "AngularVelocity",
        "Area",
        "Capacitance",
        "Conductance",
        "Conductivity",
        "Count",
        "Density",
        "Dimensionless",
        "DoseEquivalent",
        "DoseEquivalentRate",
        "DynamicViscosity",
        "ElectricCharge",
        "ElectricCurrent",
        "ElectricCurrentDensity",
        "ElectricFieldStrength",
        "Energy",
        "Exposure",
        "Force",
        "Frequency",
        "Illuminance",
        "Inductance",
        "Irradiance",
        "KinematicViscosity",
        "Length",
        "LinearMomentum",
        "Luminance",
        "LuminousFlux",
        "LuminousIntensity",
        "MagneticFlux",
        "MagneticFluxDensity",
        "MagneticVectorPotential",
        "Mass",
        "MassConcentration",
        "MassFlowRate",
        "MassPerAreaTime",
        "MemoryCapacity",
        "MolalityOfSolute",
        "MolarEnergy",
        "MolarMass",
        "MolarVolume",
        "Power",
        "Pressure",
        "RadiantFlux",
        "RadiantIntensity",
        "RelativeHumidity",
        "Resistance",
        "Resistivity",
        "SolidAngle",
        "SpecificVolume",
        "Speed",
        "SurfaceDensity",
        "SurfaceTension",
        "Temperature",
        "Time",
        "Torque",
        "Voltage",
        "Volume",
        "VolumeFlowRate",
        "VolumeFraction",
        "VolumetricFlux",
        "Wavenumber",
    )
)

SENSOR_ALERT_TYPES: Final = frozenset(
    (
        "ALARM_CONDITION",
        "ERROR_CONDITION",
    )
)

COMPONENTS: Final = frozenset(
    (
        "x",
        "y",
        "z",
        "axial_distance",
        "azimuth",
        "height",
        "spherical_radius",
        "polar_angle",
        "elevation_angle",
        "easting",
        "northing",
        "latitude",
        "longitude",
        "altitude",
    )
)

ERROR_REASONS: Final = frozenset(
    (
        "did_not_occur",
        "incorrect_data",
    )
)

# Each vocabulary: the URI its bare words expand to, by the word lists above.
VOCABULARIES: Final[dict[str, tuple[str, frozenset[str]]]] = {
    "biz_steps": ("https://ref.gs1.org/cbv/BizStep-", BIZ_STEPS),
    "dispositions": ("https://ref.gs1.org/cbv/Disp-", DISPOSITIONS),
    "source_dest_types": ("https://ref.gs1.org/cbv/SDT-", SOURCE_DEST_TYPES),
    "biz_transaction_types": ("https://ref.gs1.org/cbv/BTT-", BIZ_TRANSACTION_TYPES),
    "measurement_types": ("https://gs1.org/voc/", MEASUREMENT_TYPES),
    "sensor_alert_types": ("https://gs1.org/voc/", SENSOR_ALERT_TYPES),
    "components": ("https://ref.gs1.org/cbv/Comp-", COMPONENTS),
    "error_reasons": ("https://ref.gs1.org/cbv/ER-", ERROR_REASONS),
}

# A CBV value's forms: the JSON binding's bare word, the XML binding's URN, the web URI.
_FORMS: Final = {
    "bizStep": ("urn:epcglobal:cbv:bizstep:", "https://ref.gs1.org/cbv/BizStep-", BIZ_STEPS),
    "disposition": ("urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-", DISPOSITIONS),
}


def bare_word(field: str, value: str) -> str:
    """A bizStep or disposition as its bare CBV word when it is a CBV value in any form; a value
    of one's own is kept as written."""
    urn, web, words = _FORMS[field]
    for prefix in (urn, web):
        if value.startswith(prefix) and value[len(prefix) :] in words:
            return value[len(prefix) :]
    return value
