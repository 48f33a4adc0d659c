"""Every field of every model of the standard is bilingual, has an example, and the example fits."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import BaseModel, ValidationError, create_model
from pydantic.fields import FieldInfo

from chainhub.standard.annotations import unwrap
from chainhub.standard.codelists import CODE_LISTS
from chainhub.standard.examples import example_of
from chainhub.standard.fields import StandardModel
from chainhub.standard.registry import DOCUMENT_TYPES
from chainhub.standard.service import get_example_document
from chainhub.standard.units import UNITS
from chainhub.storage.models import column_type


def _all_models() -> dict[str, type[BaseModel]]:
    models: dict[str, type[BaseModel]] = {}
    for doc_type in DOCUMENT_TYPES.values():
        models[doc_type.model.__name__] = doc_type.model
        models[doc_type.record_model.__name__] = doc_type.record_model
        if doc_type.line_model is not None:
            models[doc_type.line_model.__name__] = doc_type.line_model
    return models


MODELS = _all_models()
FIELDS = [
    pytest.param(model, name, info, id=f"{model_name}.{name}")
    for model_name, model in MODELS.items()
    for name, info in model.model_fields.items()
]


def test_every_model_kind_is_walked() -> None:
    assert len(MODELS) == 18 * 2 + 12  # documents, their records, and the twelve line models
    assert {"PurchaseOrderLine", "BomLine", "RoutingOperation", "PartnerRecord"} <= MODELS.keys()


@pytest.mark.parametrize(("model", "name", "info"), FIELDS)
def test_field_has_both_descriptions_and_an_example(
    model: type[BaseModel], name: str, info: FieldInfo
) -> None:
    assert info.description and info.description.strip(), name
    extra = info.json_schema_extra
    assert isinstance(extra, dict)
    zh = extra.get("x-description-zh")
    assert isinstance(zh, str) and any("\u4e00" <= c <= "\u9fff" for c in zh), name
    assert info.examples and len(info.examples) >= 1, name


@pytest.mark.parametrize(("model", "name", "info"), FIELDS)
def test_field_example_fits_the_field_constraints(
    model: type[BaseModel], name: str, info: FieldInfo
) -> None:
    assert info.examples
    probe: type[BaseModel] = create_model(
        f"{model.__name__}_{name}", __base__=StandardModel, value=(info.annotation, info)
    )
    probe.model_validate({"value": info.examples[0]})


def test_field_probe_rejects_a_value_outside_the_constraints() -> None:
    info = DOCUMENT_TYPES["partner"].model.model_fields["tier"]
    probe: type[BaseModel] = create_model(
        "Probe", __base__=StandardModel, value=(info.annotation, info)
    )
    with pytest.raises(ValidationError):
        probe.model_validate({"value": 10})


@pytest.mark.parametrize("model", list(MODELS.values()), ids=list(MODELS))
def test_model_example_is_valid(model: type[BaseModel]) -> None:
    instance = model.model_validate(example_of(model))
    assert instance.model_dump(mode="json", exclude_unset=True).keys() == model.model_fields.keys()


@pytest.mark.parametrize("name", list(DOCUMENT_TYPES))
def test_documents_and_line_models_are_described_in_both_languages(name: str) -> None:
    doc_type = DOCUMENT_TYPES[name]
    for model in filter(None, (doc_type.model, doc_type.line_model)):
        assert model.__doc__
        extra = model.model_config.get("json_schema_extra")
        assert isinstance(extra, dict) and extra.get("x-description-zh"), model.__name__


@pytest.mark.parametrize("name", list(DOCUMENT_TYPES))
def test_example_document_has_real_lines(name: str) -> None:
    doc_type = DOCUMENT_TYPES[name]
    document = get_example_document(document_type=name)
    assert isinstance(document, doc_type.model)
    if doc_type.lines_field is not None:
        lines: list[Any] = getattr(document, doc_type.lines_field)
        assert len(lines) == 1
        assert isinstance(lines[0], doc_type.line_model)  # type: ignore[arg-type]


def test_identifier_examples_pass_their_check_digits() -> None:
    partner = get_example_document(document_type="partner")
    assert partner.model_dump()["uscc"] == "91440606MA4UJ3KQ5B"
    assert partner.model_dump()["gln"] == "6901234000009"
    assert get_example_document(document_type="site").model_dump()["gln"] == "6901234000016"
    assert get_example_document(document_type="material").model_dump()["gtin"] == "06901234567892"


def test_every_code_has_a_chinese_label() -> None:
    for code_list in CODE_LISTS:
        assert set(code_list.labels_zh) == {m.value for m in code_list.enum}, code_list.enum
    assert len(CODE_LISTS) == 12
    assert {c.enum.__name__ for c in CODE_LISTS} >= {"UnitCode", "LineStatus", "InspectionResult"}
    assert len(UNITS) == 42


@pytest.mark.parametrize(("model", "name", "info"), FIELDS)
def test_every_decimal_field_fits_the_column_it_is_stored_in(
    model: type[BaseModel], name: str, info: FieldInfo
) -> None:
    # The limits sit on the field or inside its annotation (`Money | None`).
    items = [*info.metadata, *unwrap(info.annotation).metadata]
    items += [inner for item in items if isinstance(item, FieldInfo) for inner in item.metadata]
    limits = {
        key: getattr(item, key)
        for item in items
        for key in ("max_digits", "decimal_places")
        if getattr(item, key, None) is not None
    }
    column = column_type(info)
    if not isinstance(column, sa.Numeric):
        assert not limits, f"{model.__name__}.{name}"
        return
    assert "max_digits" in limits, f"{model.__name__}.{name}: a decimal without digit limits"
    places = limits.get("decimal_places", 0)
    assert column.scale is not None and column.precision is not None
    assert places <= column.scale, f"{model.__name__}.{name}"
    assert limits["max_digits"] - places <= column.precision - column.scale, (
        f"{model.__name__}.{name}: more digits before the point than its column keeps"
    )
