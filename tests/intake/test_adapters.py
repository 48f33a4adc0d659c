"""ERP adapters: every shipped folder loads; a malformed one names its file and key."""

from __future__ import annotations

import ast
from importlib.resources import files
from pathlib import Path

import pytest

from chainhub.errors import ChainhubError
from chainhub.intake.adapters import list_adapters, load_adapter, vocabulary
from chainhub.intake.suggest.values import unit_code

SHIPPED = {"sap", "kingdee", "yonyou", "inspur", "digiwin", "oracle", "dynamics", "generic_zh",
           "generic_en"}  # fmt: skip


def test_every_shipped_adapter_loads_with_its_readme() -> None:
    assert {a.name for a in list_adapters()} == SHIPPED
    root = files("chainhub.intake.adapters")
    for name in SHIPPED:
        assert (root / name / "profile.yaml").is_file()
        assert (root / name / "README.md").read_text(encoding="utf-8").startswith("# ")


def test_vocabulary_merges_terms_with_the_families_that_write_them() -> None:
    vocab = vocabulary()
    assert vocab.fields["material_code"]["MATNR"] == {"sap"}
    assert vocab.fields["material_code"]["Item"] == {"generic_en", "oracle"}
    assert vocab.documents["purchase_order", "line_no"]["Item"] == {"sap"}
    assert vocab.descriptions["存货名称"] == {"yonyou"}


@pytest.mark.parametrize(
    ("word", "known"),
    [
        ("ST", (True, "H87")),
        ("KAR", (True, "XCT")),
        ("千个", (True, "T3")),
        ("箱子", (False, None)),
    ],
)
def test_adapter_unit_words_extend_the_normalizer(
    word: str, known: tuple[bool, str | None]
) -> None:
    assert unit_code(word) == known


def _adapter(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "acme"
    folder.mkdir()
    (folder / "profile.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ("title: A\nfeilds: {}\n", "feilds", "Extra inputs are not permitted"),
        ("title: A\nfields:\n  po_nummer: [PO]\n", "fields", "'po_nummer' is not a field"),
        ("title: A\ndocuments:\n  shipment:\n    unit_price: [P]\n", "documents",
         "'unit_price' is not a field of shipment"),
        ("title: A\nunits:\n  箱: box\n", "units", "'box' is not a UN/ECE Rec 20 code"),
        ("title: A\ncodes:\n  OrderStatus:\n    done: [X]\n", "codes",
         "'done' is not a value of OrderStatus"),
        ("title: A\nencodings: [klingon]\n", "encodings", "'klingon' is not a text encoding"),
    ],
)  # fmt: skip
def test_a_malformed_adapter_names_its_file_and_key(
    tmp_path: Path, text: str, key: str, problem: str
) -> None:
    folder = _adapter(tmp_path, text)
    with pytest.raises(ChainhubError) as caught:
        load_adapter(folder)
    message = str(caught.value)
    assert message.startswith(f"invalid ERP adapter {folder / 'profile.yaml'}: {key}")
    assert problem in message


def test_a_file_that_is_not_yaml_names_its_file(tmp_path: Path) -> None:
    folder = _adapter(tmp_path, "title: [unclosed\n")
    with pytest.raises(ChainhubError, match=r"invalid ERP adapter .*acme/profile\.yaml: "):
        load_adapter(folder)


def test_the_simulator_dialects_import_no_erp_vocabulary() -> None:
    source = Path(__file__).parents[2] / "src" / "chainhub" / "sim" / "dialects.py"
    imported = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    # The simulator writes the profile format, and nothing of what intake knows of ERPs.
    assert {m for m in imported if m.startswith("chainhub.intake")} == {"chainhub.intake.schemas"}
