"""A profile as a load's files of its type share it: what differs between partners' profiles
of a type (source column names, constants, value maps, the partner) left out, so that the
rows of all their files can be checked through one plan, those differences given as columns."""

from __future__ import annotations

from chainhub.intake.schemas import MappingProfile, SourceFormat


def canonical_profile(profile: MappingProfile) -> MappingProfile | None:
    """The profile with each field read from a column of the field's own name (a constant
    becomes a column holding it), without value maps or partner; None when its rows cannot be
    checked so (numbered lines or differences read other fields' texts, and a constant is
    read as it stands where a column is trimmed: one that trimming would change)."""
    fields = {}
    for name, mapping in profile.fields.items():
        if mapping.number_lines or mapping.difference is not None:
            return None
        if mapping.value is not None:
            text = str(mapping.value)
            if not text or text != text.strip():
                return None
        fields[name] = mapping.model_copy(update={"column": name, "value": None, "map": None})
    source = SourceFormat(
        format=profile.source.format,
        decimal_comma=profile.source.decimal_comma,
        thousands_separator=profile.source.thousands_separator,
    )
    return profile.model_copy(
        update={
            "partner_id": "",
            "source": source,
            "fields": dict(sorted(fields.items())),
            "material_description": None,
        }
    )
