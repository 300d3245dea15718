"""Format readers. `READERS` maps a format name to its reader; `detect` picks one from sample records."""

from __future__ import annotations

import logging

from catalog.ingest.readers.base import Reader
from catalog.ingest.readers.chat import GlaiveReader, OpenAiChatReader, ShareGptReader
from catalog.ingest.readers.instruction import (
    AlpacaReader,
    CsvQaReader,
    DollyReader,
    Gsm8kReader,
    SelfInstructReader,
)
from catalog.ingest.readers.oasst import OasstTreeReader
from catalog.ingest.readers.tools import BfclReader, GorillaReader

log = logging.getLogger(__name__)

READERS: dict[str, type[Reader]] = {
    r.name: r
    for r in (
        AlpacaReader,
        DollyReader,
        SelfInstructReader,
        ShareGptReader,
        GlaiveReader,
        OpenAiChatReader,
        Gsm8kReader,
        OasstTreeReader,
        BfclReader,
        GorillaReader,
        CsvQaReader,
    )
}

__all__ = ["READERS", "Reader"]
