"""The published standard: example documents, JSON Schemas, index, reference, export, and the
conversion between nested documents and their flat records."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from chainhub.errors import ChainhubError
from chainhub.standard.examples import example_of
from chainhub.standard.json_schema import get_model_schema
from chainhub.standard.reference import render_changelog, render_reference
from chainhub.standard.registry import DOCUMENT_TYPES, DocumentType, get_document_type
from chainhub.standard.version import STANDARD_VERSION


def schema_file_name(*, document_type: DocumentType, record: bool = False) -> str:
    """File name of the published schema of a type's nested document or of its flat record."""
    return (
        f"{document_type.name}.record.schema.json"
        if record
        else f"{document_type.name}.schema.json"
    )


def get_example_document(*, document_type: str) -> BaseModel:
    """A full example document of `document_type`, assembled from its fields' examples."""
    doc_type = get_document_type(document_type)
    return doc_type.model.model_validate(example_of(doc_type.model))


def document_to_records(*, document_type: str, document: BaseModel) -> list[dict[str, Any]]:
    """The flat records of a document: one per line, the header fields repeated on each."""
    doc_type = get_document_type(document_type)
    if not isinstance(document, doc_type.model):
        raise TypeError(
            f"{document_type} needs a {doc_type.model.__name__}, not a {type(document).__name__}"
        )
    data = document.model_dump()
    header = {name: data[name] for name in doc_type.header_fields}
    if doc_type.lines_field is None:
        return [header]
    return [{**header, **line} for line in data[doc_type.lines_field]]


def records_to_documents(*, document_type: str, records: list[dict[str, Any]]) -> list[BaseModel]:
    """Documents from flat records grouped by the type's key, in the order keys first appear.

    Raises ChainhubError for a record that breaks the record schema, for rows of one document
    whose header fields differ, for a repeated key or line key, and for a document that breaks
    the rules across lines.
    """
    doc_type = get_document_type(document_type)
    groups: dict[tuple[Any, ...], list[tuple[int, dict[str, Any]]]] = {}
    for row_no, record in enumerate(records, start=1):
        row = _validated_record(doc_type=doc_type, record=record, row_no=row_no)
        groups.setdefault(tuple(row[name] for name in doc_type.key), []).append((row_no, row))
    return [_document_from_rows(doc_type=doc_type, rows=rows) for rows in groups.values()]


def _validated_record(
    *, doc_type: DocumentType, record: dict[str, Any], row_no: int
) -> dict[str, Any]:
    try:
        return doc_type.record_model.model_validate(record).model_dump()
    except ValidationError as exc:
        problem = _first_problem(exc)
        raise ChainhubError(
            "invalid_record",
            f"{doc_type.name} record does not conform to the standard: {problem}",
            f"{doc_type.title_zh}记录不符合数据标准：{problem}",
            {"document_type": doc_type.name, "row": row_no},
        ) from exc


def _document_from_rows(
    *, doc_type: DocumentType, rows: list[tuple[int, dict[str, Any]]]
) -> BaseModel:
    first_row_no, first = rows[0]
    key_text = "/".join(str(first[name]) for name in doc_type.key)
    where: dict[str, str | int] = {"document_type": doc_type.name, "key": key_text}
    if doc_type.lines_field is None and len(rows) > 1:
        raise ChainhubError(
            "duplicate_key",
            f"{doc_type.name} key appears in more than one record",
            f"{doc_type.title_zh}的键在多条记录中重复出现",
            {**where, "row": rows[1][0]},
        )
    header = {name: first[name] for name in doc_type.header_fields}
    for row_no, row in rows[1:]:
        for name, value in header.items():
            if row[name] != value:
                raise ChainhubError(
                    "inconsistent_header",
                    f"{name} differs between records of one document (row {first_row_no} has "
                    f"{value!r}, this row {row[name]!r})",
                    f"同一文档的记录之间 {name} 不一致（第 {first_row_no} 行为 {value!r}，"
                    f"本行为 {row[name]!r}）",
                    {**where, "row": row_no},
                )
    document: dict[str, Any] = header
    if doc_type.lines_field is not None:
        seen: dict[tuple[Any, ...], int] = {}
        for row_no, row in rows:
            line_key = tuple(row[name] for name in doc_type.line_key)
            if line_key in seen:
                line_text = "/".join(map(str, line_key))
                raise ChainhubError(
                    "duplicate_line",
                    f"line {line_text} appears twice (first in row {seen[line_key]})",
                    f"明细 {line_text} 重复出现（首次在第 {seen[line_key]} 行）",
                    {**where, "row": row_no},
                )
            seen[line_key] = row_no
        document = {
            **header,
            doc_type.lines_field: [
                {name: row[name] for name in doc_type.line_fields} for _, row in rows
            ],
        }
    try:
        return doc_type.model.model_validate(document)
    except ValidationError as exc:
        problem = _first_problem(exc)
        raise ChainhubError(
            "invalid_document",
            f"{doc_type.name} document does not conform to the standard: {problem}",
            f"{doc_type.title_zh}文档不符合数据标准：{problem}",
            {**where, "row": first_row_no},
        ) from exc


def _first_problem(exc: ValidationError) -> str:
    errors = exc.errors(include_url=False)
    first = errors[0]
    where = ".".join(str(part) for part in first["loc"])
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first['msg']}{more}" if where else f"{first['msg']}{more}"


def _description_zh(model: type[BaseModel]) -> str:
    extra = model.model_config.get("json_schema_extra")
    return str(extra.get("x-description-zh", "")) if isinstance(extra, dict) else ""


def get_document_schema(*, document_type: str, record: bool = False) -> dict[str, Any]:
    """The published JSON Schema of a type's nested document, or of its flat record."""
    doc_type = get_document_type(document_type)
    example = get_example_document(document_type=document_type)
    annotations: dict[str, Any] = {
        "x-document-type": doc_type.name,
        "x-kind": "master" if doc_type.master else "transaction",
        "x-key": list(doc_type.key),
        "x-parties": list(doc_type.parties),
    }
    if doc_type.lines_field is not None:
        annotations["x-lines-field"] = doc_type.lines_field
        annotations["x-line-key"] = list(doc_type.line_key)
    if not record:
        return get_model_schema(
            model=doc_type.model,
            file_name=schema_file_name(document_type=doc_type),
            title_en=doc_type.title_en,
            title_zh=doc_type.title_zh,
            description_en=inspect.cleandoc(doc_type.model.__doc__ or ""),
            description_zh=_description_zh(doc_type.model),
            annotations=annotations,
            examples=[example.model_dump(mode="json")],
        )
    rows = [
        doc_type.record_model.model_validate(row).model_dump(mode="json")
        for row in document_to_records(document_type=document_type, document=example)
    ]
    keys = ", ".join(doc_type.key)
    if doc_type.lines_field is None:
        description_en = f"One {doc_type.title_en.lower()} per row, without the document envelope."
        description_zh = f"每行一条{doc_type.title_zh}，不含文档信封字段。"
    else:
        description_en = (
            f"The flat form of a {doc_type.title_en.lower()}: one row per line, the header fields "
            f"repeated on every row, then the line fields. Rows with the same key ({keys}) form "
            "one document."
        )
        description_zh = (
            f"{doc_type.title_zh}的扁平形式：每条明细一行，先是在每行重复的表头字段，后是明细字段。"
            f"键（{keys}）相同的行构成同一份文档。"
        )
    return get_model_schema(
        model=doc_type.record_model,
        file_name=schema_file_name(document_type=doc_type, record=True),
        title_en=f"{doc_type.title_en} (flat record)",
        title_zh=f"{doc_type.title_zh}（扁平记录）",
        description_en=description_en,
        description_zh=description_zh,
        annotations=annotations,
        examples=rows,
    )


def get_index() -> dict[str, Any]:
    """The index of the published standard: every document type and its schema files."""
    return {
        "standard": "chainhub",
        "version": STANDARD_VERSION,
        "document_types": [
            {
                "name": doc_type.name,
                "title_en": doc_type.title_en,
                "title_zh": doc_type.title_zh,
                "version": STANDARD_VERSION,
                "kind": "master" if doc_type.master else "transaction",
                "schema": schema_file_name(document_type=doc_type),
                "record_schema": schema_file_name(document_type=doc_type, record=True),
                "key": list(doc_type.key),
                "parties": list(doc_type.parties),
                "lines_field": doc_type.lines_field,
                "line_key": list(doc_type.line_key),
            }
            for doc_type in DOCUMENT_TYPES.values()
        ],
    }


def _json_text(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def get_published_files() -> dict[str, str]:
    """Every file of the published standard, by file name, as text."""
    files: dict[str, str] = {}
    schemas: dict[str, dict[str, Any]] = {}
    for doc_type in DOCUMENT_TYPES.values():
        for record in (False, True):
            schema = get_document_schema(document_type=doc_type.name, record=record)
            files[schema_file_name(document_type=doc_type, record=record)] = _json_text(schema)
        schemas[doc_type.name] = json.loads(files[schema_file_name(document_type=doc_type)])
    files["index.json"] = _json_text(get_index())
    files["reference.md"] = render_reference(schemas=schemas)
    files["CHANGELOG.md"] = render_changelog()
    return files


def check_export_directory(*, directory: Path) -> None:
    """Raise ChainhubError unless `directory` is a directory or can become one."""
    for path in (directory, *directory.parents):
        if path.exists() and not path.is_dir():
            raise ChainhubError(
                "export_target_not_directory",
                f"{path} exists and is not a directory",
                f"{path} 已存在且不是目录",
                {} if path == directory else {"path": str(directory)},
            )


def do_export_standard(*, directory: Path) -> list[Path]:
    """Write the published standard into `directory` (created if missing); return the files."""
    check_export_directory(directory=directory)
    written: list[Path] = []
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for name, text in get_published_files().items():
            path = directory / name
            path.write_text(text, encoding="utf-8", newline="\n")
            written.append(path)
    except OSError as exc:
        raise ChainhubError(
            "export_failed",
            f"cannot write the standard: {exc.strerror}",
            f"无法写出数据标准：{exc.strerror}",
            {"path": str(exc.filename or directory)},
        ) from exc
    return written
