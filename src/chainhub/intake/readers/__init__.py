"""Read a partner's file, as its profile describes it, into a frame of text columns."""

from chainhub.intake.readers.blocks import BLOCK_BYTES, CsvFile, split_together
from chainhub.intake.readers.hashing import file_hash
from chainhub.intake.readers.resolve import Resolved
from chainhub.intake.readers.rows import LINE, SOURCE_ROW, SourceRows, renamed
from chainhub.intake.readers.source import read_rows, read_source

__all__ = [
    "BLOCK_BYTES",
    "LINE",
    "SOURCE_ROW",
    "CsvFile",
    "Resolved",
    "SourceRows",
    "file_hash",
    "read_rows",
    "read_source",
    "renamed",
    "split_together",
]
