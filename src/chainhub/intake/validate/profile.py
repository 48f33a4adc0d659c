"""A profile fits its document type and the file's columns, or intake stops before any row."""

from __future__ import annotations

from chainhub.errors import ChainhubError
from chainhub.intake.schemas import MappingProfile
from chainhub.intake.spec import record_specs
from chainhub.standard.registry import DocumentType


def check_profile(
    doc_type: DocumentType, profile: MappingProfile, columns: list[str], *, partial: bool = False
) -> tuple[str, ...]:
    """Raise when the profile maps unknown fields, misses required ones (unless `partial`: a
    check that reports them and goes on), or names a column the file does not have; the
    required fields left unmapped."""
    specs = record_specs(doc_type.name)
    unknown = sorted(set(profile.fields) - set(specs))
    if unknown:
        raise ChainhubError(
            "profile_unknown_field",
            f"profile maps fields that {doc_type.name} does not have: {', '.join(unknown)}",
            f"映射配置包含 {doc_type.name} 中不存在的字段：{', '.join(unknown)}",
        )
    unmapped = [
        n for n, s in specs.items() if s.required and s.default is None and n not in profile.fields
    ]
    if unmapped and not partial:
        raise ChainhubError(
            "profile_missing_field",
            f"profile does not map required fields of {doc_type.name}: {', '.join(unmapped)}",
            f"映射配置缺少 {doc_type.name} 的必填字段：{', '.join(unmapped)}",
        )
    numbered = sorted(n for n, m in profile.fields.items() if m.number_lines)
    line_key = doc_type.line_key
    if numbered and (len(line_key) != 1 or numbered != [line_key[0]]):
        allowed = line_key[0] if len(line_key) == 1 else "none"
        raise ChainhubError(
            "profile_number_lines",
            f"profile numbers the lines of {', '.join(numbered)}; of {doc_type.name} only the "
            f"line number may be numbered ({allowed})",
            f"映射配置为 {', '.join(numbered)} 自动编行号；{doc_type.name} 只有行号字段可以"
            f"自动编号（{allowed}）",
        )
    _check_differences(doc_type, profile)
    missing = [
        m.column
        for m in profile.fields.values()
        if m.column is not None and m.column not in columns
    ]
    if missing:
        raise ChainhubError(
            "column_missing",
            f"the file has no column {', '.join(missing)}; it has: {', '.join(columns)}",
            f"文件缺少列 {', '.join(missing)}；文件中的列为：{', '.join(columns)}",
            {"column": missing[0]},
        )
    return tuple(unmapped)


def _check_differences(doc_type: DocumentType, profile: MappingProfile) -> None:
    """A difference is of two numeric fields the profile maps, neither itself a difference."""
    specs = record_specs(doc_type.name)
    for name, mapping in profile.fields.items():
        if mapping.difference is None:
            continue
        bad = [
            f
            for f in (name, *mapping.difference)
            if f not in specs
            or specs[f].kind not in ("int", "decimal")
            or (f != name and (f not in profile.fields or profile.fields[f].difference))
        ]
        if bad:
            raise ChainhubError(
                "profile_difference",
                f"profile: {name} as a difference needs numeric fields mapped from the file; "
                f"not so: {', '.join(bad)}",
                f"映射配置：{name} 作为差值，须由文件中已映射的数值字段计算；"
                f"不符合：{', '.join(bad)}",
            )
