"""The published standard: schemas, index, reference and changelog, as `export` writes them."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from pydantic import ValidationError

from chainhub.standard.registry import DOCUMENT_TYPES
from chainhub.standard.service import (
    do_export_standard,
    document_to_records,
    get_example_document,
    get_published_files,
)
from chainhub.standard.version import CHANGELOG, STANDARD_VERSION

NAMES = list(DOCUMENT_TYPES)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("standard")
    do_export_standard(directory=directory)
    return directory


def _load(directory: Path, name: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads((directory / name).read_text(encoding="utf-8"))
    return value


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(schema, format_checker=FormatChecker())


def _example(name: str) -> dict[str, Any]:
    return get_example_document(document_type=name).model_dump(mode="json")


def _errors(schema: dict[str, Any], instance: Any) -> list[str]:
    return [e.message for e in _validator(schema).iter_errors(instance)]


def test_export_writes_the_expected_files(published: Path) -> None:
    expected = {"index.json", "reference.md", "CHANGELOG.md"}
    expected |= {f"{n}.schema.json" for n in NAMES} | {f"{n}.record.schema.json" for n in NAMES}
    assert {p.name for p in published.iterdir()} == expected
    assert len(expected) == 39


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("suffix", ["schema.json", "record.schema.json"])
def test_schema_is_valid_draft_2020_12(published: Path, name: str, suffix: str) -> None:
    schema = _load(published, f"{name}.{suffix}")
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"https://chainhub.dev/standard/{STANDARD_VERSION}/{name}.{suffix}"
    assert schema["x-standard-version"] == STANDARD_VERSION
    assert schema["title"] and schema["x-title-zh"]
    assert schema["description"] and schema["x-description-zh"]
    assert schema["additionalProperties"] is False


def test_purchase_order_schema_head(published: Path) -> None:
    schema = _load(published, "purchase_order.schema.json")
    assert schema["title"] == "Purchase order"
    assert schema["x-title-zh"] == "采购订单"
    assert schema["x-key"] == ["buyer_id", "po_number"]
    assert schema["x-line-key"] == ["line_no"]
    record = _load(published, "purchase_order.record.schema.json")
    assert record["title"] == "Purchase order (flat record)"
    assert "standard_version" not in record["properties"]
    assert {"po_number", "line_no", "unit_price"} <= record["properties"].keys()


@pytest.mark.parametrize("name", NAMES)
def test_example_document_and_records_validate(published: Path, name: str) -> None:
    schema = _load(published, f"{name}.schema.json")
    record_schema = _load(published, f"{name}.record.schema.json")
    example = _example(name)
    assert _errors(schema, example) == []
    assert schema["examples"] == [example]
    for row in record_schema["examples"]:
        assert _errors(record_schema, row) == []
    rows = document_to_records(
        document_type=name, document=get_example_document(document_type=name)
    )
    assert len(record_schema["examples"]) == len(rows) == 1


@pytest.mark.parametrize("name", NAMES)
def test_broken_documents_fail_their_schema(published: Path, name: str) -> None:
    schema = _load(published, f"{name}.schema.json")
    required = schema["required"]
    assert required
    missing = _example(name)
    del missing[required[0]]
    assert any("is a required property" in m for m in _errors(schema, missing))
    unknown = {**_example(name), "colour": "red"}
    assert _errors(schema, unknown)


# (document type, path to the value, bad value): bad pattern, out of range, wrong code
BROKEN = [
    ("purchase_order", ("po_number",), "-starts-with-dash"),
    ("purchase_order", ("buyer_id",), "Haichuan"),
    ("purchase_order", ("currency",), "cny"),
    ("purchase_order", ("lines", 0, "quantity"), 0),
    ("purchase_order", ("lines", 0, "quantity"), "-5"),
    ("purchase_order", ("lines", 0, "quantity"), "0"),
    ("purchase_order", ("lines", 0, "quantity"), "1.1234567"),
    ("purchase_order", ("lines", 0, "unit"), "PCS"),
    ("purchase_order", ("lines", 0, "line_status"), "shipped"),
    ("purchase_order", ("lines", 0, "requested_date"), "15.03.2026"),
    ("purchase_order", ("lines",), []),
    ("partner", ("tier",), 10),
    ("partner", ("roles",), ["bank"]),
    ("partner", ("gln",), "690123400000"),
    ("partner", ("uscc",), "91440606MA4UJ3KQ5I"),
    ("material", ("gtin",), "1234567"),
    ("material", ("category",), "finished_good"),
    ("bom", ("lines", 0, "scrap_rate"), 1),
    ("work_centre", ("hours_per_day",), 25),
    ("quality_inspection", ("sample_size",), 0),
    ("quality_inspection", ("result",), "ok"),
    ("production_order", ("planned_start",), "2026-03-10 08:00"),
    ("shipment", ("lines", 0, "lot_number"), "L" * 21),
]


@pytest.mark.parametrize(("name", "path", "value"), BROKEN)
def test_bad_value_fails_the_schema(
    published: Path, name: str, path: tuple[str | int, ...], value: Any
) -> None:
    schema = _load(published, f"{name}.schema.json")
    document = copy.deepcopy(_example(name))
    target: Any = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    assert _errors(schema, document), (name, path, value)
    with pytest.raises(ValidationError):
        DOCUMENT_TYPES[name].model.model_validate(document)


def test_index_lists_every_registry_type(published: Path) -> None:
    index = _load(published, "index.json")
    assert index["version"] == STANDARD_VERSION
    assert [t["name"] for t in index["document_types"]] == NAMES
    by_name = {t["name"]: t for t in index["document_types"]}
    assert by_name["purchase_order"] == {
        "name": "purchase_order",
        "title_en": "Purchase order",
        "title_zh": "采购订单",
        "version": STANDARD_VERSION,
        "kind": "transaction",
        "schema": "purchase_order.schema.json",
        "record_schema": "purchase_order.record.schema.json",
        "key": ["buyer_id", "po_number"],
        "parties": ["buyer_id", "supplier_id"],
        "lines_field": "lines",
        "line_key": ["line_no"],
    }
    assert by_name["material"]["kind"] == "master"
    for entry in index["document_types"]:
        assert (published / entry["schema"]).is_file()
        assert (published / entry["record_schema"]).is_file()


def test_reference_mentions_every_field_of_every_type(published: Path) -> None:
    reference = (published / "reference.md").read_text(encoding="utf-8")
    for name, doc_type in DOCUMENT_TYPES.items():
        assert f'<a id="{name}"></a>' in reference
        assert f"{doc_type.title_en} · {doc_type.title_zh}" in reference
        for field_name, info in {**doc_type.model.model_fields, **doc_type.line_fields}.items():
            assert f"| `{field_name}` |" in reference, (name, field_name)
            assert info.description and info.description in reference


def test_reference_has_code_lists_and_units(published: Path) -> None:
    reference = (published / "reference.md").read_text(encoding="utf-8")
    assert "| `partially_delivered` | 部分交货 |" in reference
    assert "| `KGM` | kilogram | 千克 | mass | 1 |" in reference
    assert "| `DZN` | dozen | 打 | count | 12 |" in reference
    assert r"pattern `^(\d{8}\|\d{12,14})$`; check digit GS1 mod 10" in reference
    assert "| `quantity` | decimal · 小数 | yes · 是 | > 0; max digits 18; max decimals 6 |" in (
        reference
    )


def test_every_code_list_in_a_schema_has_chinese_labels(published: Path) -> None:
    seen: set[str] = set()
    for name in NAMES:
        for def_name, definition in (
            _load(published, f"{name}.schema.json").get("$defs", {}).items()
        ):
            if "enum" in definition:
                assert set(definition["x-enum-labels-zh"]) == set(definition["enum"]), def_name
                assert definition["x-title-zh"]
                seen.add(def_name)
    assert len(seen) == 12


def test_changelog_lists_every_version(published: Path) -> None:
    changelog = (published / "CHANGELOG.md").read_text(encoding="utf-8")
    for version, released, text in CHANGELOG:
        assert f"## {version} — {released}" in changelog
        assert text in changelog


def test_export_is_deterministic(published: Path, tmp_path: Path) -> None:
    do_export_standard(directory=tmp_path / "again")
    for path in published.iterdir():
        assert (tmp_path / "again" / path.name).read_bytes() == path.read_bytes(), path.name
    assert get_published_files() == get_published_files()


def test_export_overwrites_into_an_existing_directory(tmp_path: Path) -> None:
    (tmp_path / "index.json").write_text("stale", encoding="utf-8")
    written = do_export_standard(directory=tmp_path)
    assert len(written) == 39
    assert json.loads((tmp_path / "index.json").read_text(encoding="utf-8"))["version"] == (
        STANDARD_VERSION
    )
