"""Stream raw records out of a file, one at a time, in constant memory.

Containers: a JSON array (`[{...}, {...}]`, the Alpaca family), JSON Lines (one value per line, even
when the file is named `.json`), and CSV with a header. Every record carries its 0-based record
number, the 1-based line where it starts, and the byte offset after it (for progress). A record
that cannot be read (broken JSON, invalid UTF-8, larger than the size cap, a truncated file) is
yielded with an `error` instead of a value, so the caller can quarantine it and go on.
"""

from __future__ import annotations

import bz2
import codecs
import csv
import dataclasses
import gzip
import io
import logging
import lzma
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

import orjson

log = logging.getLogger(__name__)

Container = Literal["json-array", "jsonl", "csv", "parquet"]

_CHUNK = 1 << 20  # bytes read at a time
PREVIEW_BYTES = 2000  # what a quarantine entry keeps of a bad record


@dataclass(slots=True)
class RawRecord:
    index: int
    line: int
    value: Any
    error: str | None
    preview: bytes
    end_offset: int


#: containers curagraph does not read yet, by their magic bytes: (offset, magic, what it is, how to read it)
_UNREAD_CONTAINERS: tuple[tuple[int, bytes, str, str], ...] = (
    # (gzip, bzip2 and xz are read through their decompressor: see COMPRESSIONS)
    (0, b"ARROW1", "an Arrow IPC file", "convert it to JSON Lines first, e.g. with pyarrow"),
    (0, b"\xff\xff\xff\xff", "an Arrow IPC stream", "convert it to JSON Lines first, e.g. with pyarrow"),
    (0, b"PK\x03\x04", "a zip archive", "unpack it and ingest the data files inside"),
    (0, b"PK\x05\x06", "an empty zip archive", "unpack it and ingest the data files inside"),
    (0, b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", "unpack it and ingest the data files inside"),
    (257, b"ustar", "a tar archive", "unpack it and ingest the data files inside"),
    (0, b"SQLite format 3\x00", "an SQLite database", "export its rows to JSON Lines or CSV first"),
    (0, b"\x89HDF", "an HDF5 file", "export its rows to JSON Lines first"),
    (0, b"%PDF", "a PDF document", "curagraph reads records (JSON, JSON Lines, CSV), not documents"),
    (
        0,
        b"\x28\xb5\x2f\xfd",
        "a zstd-compressed file",
        "decompress it first, e.g. zstd -d FILE (gzip, bzip2 and xz are read as they are)",
    ),
)


#: compressions read around JSON, JSON Lines and CSV, by their magic bytes (not the file's name)
COMPRESSIONS: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bz2"),
    (b"\xfd7zXZ\x00", "xz"),
)
_COMPRESSED_SUFFIXES = (".gz", ".gzip", ".bz2", ".xz", ".zst", ".zstd")


def compression_of(path: Path) -> str | None:
    """gzip, bz2 or xz when the file starts with that compression's magic bytes, else None."""
    with path.open("rb") as f:
        head = f.read(8)
    return next((name for magic, name in COMPRESSIONS if head.startswith(magic)), None)


@contextmanager
def open_stream(path: Path) -> Iterator[tuple[BinaryIO, BinaryIO]]:
    """(the decompressed bytes, the file itself): a compressed file is read through its
    decompressor, the position in the file itself says how far the reading got."""
    kind = compression_of(path)
    with path.open("rb") as raw:
        if kind is None:
            yield raw, raw
            return
        opener = {"gzip": gzip.GzipFile, "bz2": bz2.BZ2File, "xz": lzma.LZMAFile}[kind]
        with opener(fileobj=raw) if kind == "gzip" else opener(raw) as stream:
            yield stream, raw


def inner_suffix(path: Path) -> str:
    """The file's format suffix under any compression suffix (data.csv.gz -> .csv)."""
    suffixes = [x.lower() for x in path.suffixes]
    while suffixes and suffixes[-1] in _COMPRESSED_SUFFIXES:
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


def unread_container(path: Path) -> tuple[str, str] | None:
    """(what the file is, how to make it readable) when its magic bytes (inside any compression
    curagraph reads) name a container that curagraph does not read; None for text."""
    try:
        with open_stream(path) as (f, _):
            head = f.read(512)
    except (OSError, EOFError, lzma.LZMAError) as exc:
        return f"a {compression_of(path)} file that does not decompress ({exc})", "check the file is whole"
    for offset, magic, what, fix in _UNREAD_CONTAINERS:
        if head[offset : offset + len(magic)] == magic:
            return what, fix
    return None


def sniff_container(path: Path) -> Container:
    """Decide the container from the extension (CSV/TSV) or the first non-blank byte."""
    if inner_suffix(path) in (".csv", ".tsv"):
        return "csv"
    with path.open("rb") as f:
        if f.read(4) == PARQUET_MAGIC:
            return "parquet"
    with open_stream(path) as (f, _):
        head = f.read(4096)
        while head and not head.lstrip():
            more = f.read(4096)
            if not more:
                break
            head = more
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"["):
        return "json-array"
    return "jsonl"


def iter_records(
    path: Path, *, max_record_bytes: int, container: Container | None = None
) -> Iterator[RawRecord]:
    container = container or sniff_container(path)
    if container == "parquet":
        yield from _iter_parquet(path)
        return
    with open_stream(path) as (f, raw):
        if container == "csv":
            records = _iter_csv(f, max_record_bytes, delimiter="\t" if inner_suffix(path) == ".tsv" else ",")
        elif container == "json-array":
            records = _iter_json_array(f, max_record_bytes)
        else:
            records = _iter_jsonl(f, max_record_bytes)
        if raw is f:
            yield from records
        else:  # progress counts the compressed file's bytes
            for rec in records:
                yield dataclasses.replace(rec, end_offset=raw.tell())


PARQUET_MAGIC = b"PAR1"
PARQUET_BATCH = 1_024


def _iter_parquet(path: Path) -> Iterator[RawRecord]:
    """A Parquet file's rows as records, a batch of a row group at a time (memory: one batch); the
    progress offset is the share of the row groups read, scaled to the file's size."""
    import pyarrow.parquet as pq

    try:
        file = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid and OSError subclasses
        raise ValueError(f"{path.name} is not a readable Parquet file: {exc}") from exc
    size = path.stat().st_size
    groups = max(1, file.num_row_groups)
    index = 0
    for group in range(file.num_row_groups):
        done_bytes = size * (group + 1) // groups
        for batch in file.iter_batches(batch_size=PARQUET_BATCH, row_groups=[group]):
            for row in batch.to_pylist():
                index += 1
                yield RawRecord(index - 1, index, row, None, b"", done_bytes)


def _parse_json(data: bytes) -> tuple[Any, str | None]:
    try:
        return orjson.loads(data), None
    except orjson.JSONDecodeError as exc:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as uexc:
            return None, f"invalid UTF-8 at byte {uexc.start} of the record"
        return None, f"invalid JSON: {exc}"


# ---------------------------------------------------------------------- JSON Lines


def _read_line(f: BinaryIO, limit: int) -> tuple[bytes, int, bool]:
    """One line (without skipping past the cap): (start of the line, bytes consumed, oversize)."""
    line = f.readline(limit + 1)
    if len(line) <= limit or line.endswith(b"\n"):
        return line, len(line), False
    consumed = len(line)
    head = line[:PREVIEW_BYTES]
    while True:  # skip the rest of an oversize line without keeping it
        part = f.readline(_CHUNK)
        consumed += len(part)
        if not part or part.endswith(b"\n"):
            return head, consumed, True


def _iter_jsonl(f: BinaryIO, limit: int) -> Iterator[RawRecord]:
    index = 0
    line_no = 0
    offset = 0
    while True:
        line, consumed, oversize = _read_line(f, limit)
        if not consumed:
            return
        line_no += 1
        offset += consumed
        if oversize:
            yield RawRecord(
                index, line_no, None, f"record larger than the {limit}-byte cap", line[:PREVIEW_BYTES], offset
            )
            index += 1
            continue
        if not line.strip():
            continue
        if index == 0 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        value, error = _parse_json(line)
        yield RawRecord(index, line_no, value, error, line[:PREVIEW_BYTES] if error else b"", offset)
        index += 1


# ---------------------------------------------------------------------- JSON array

_STRUCT = re.compile(rb'[\[\]{}"]')
_STRING_END = re.compile(rb'["\\]')
_SCALAR_END = re.compile(rb"[,\]\s]")


class _ArrayScanner:
    """Finds the byte span of each top-level element of a JSON array, reading in chunks."""

    def __init__(self, f: BinaryIO, limit: int) -> None:
        self.f = f
        self.limit = limit
        self.buf = b""
        self.pos = 0  # position in buf
        self.base = 0  # file offset of buf[0]
        self.line = 1  # line number at buf[pos]
        self.eof = False

    def _fill(self) -> bool:
        if self.eof:
            return False
        data = self.f.read(_CHUNK)
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def _advance(self, new_pos: int) -> None:
        self.line += self.buf.count(b"\n", self.pos, new_pos)
        self.pos = new_pos

    def _compact(self, keep_from: int) -> None:
        self.base += keep_from
        self.buf = self.buf[keep_from:]
        self.pos -= keep_from

    def skip_ws(self) -> int | None:
        """Skip whitespace; return the next byte or None at end of file."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in b" \t\r\n":
                if self.buf[self.pos] == 10:
                    self.line += 1
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            self._compact(self.pos)
            if not self._fill():
                return None

    def element(self) -> tuple[int, bytes, bool, bool]:
        """Scan one element from buf[pos]: (start line, bytes or preview, oversize, truncated)."""
        start = self.pos
        start_line = self.line
        self._compact(start)
        start = 0
        depth = 0
        in_string = False
        dropped = False  # the element outgrew the cap: keep scanning, keep only a preview
        preview = b""
        first = self.buf[0:1]
        scalar = first not in (b"{", b"[", b'"')
        i = 0
        while True:
            if i >= len(self.buf):
                if not self._fill():
                    self._advance(len(self.buf))
                    body = preview if dropped else self.buf[start:]
                    return start_line, body[:PREVIEW_BYTES], dropped, True
                continue
            if scalar:
                m = _SCALAR_END.search(self.buf, i)
                if m is None:
                    i = len(self.buf)
                    continue
                end = m.start()
                break
            if in_string:
                m = _STRING_END.search(self.buf, i)
                if m is None:
                    i = len(self.buf)
                else:
                    if self.buf[m.start()] == 0x5C:  # backslash: skip the escaped byte
                        if m.start() + 1 >= len(self.buf) and not self._fill():
                            i = len(self.buf)
                            continue
                        i = m.start() + 2
                        continue
                    in_string = False
                    i = m.start() + 1
                    if depth == 0:
                        end = i
                        break
            else:
                m = _STRUCT.search(self.buf, i)
                if m is None:
                    i = len(self.buf)
                else:
                    ch = self.buf[m.start()]
                    i = m.start() + 1
                    if ch == 0x22:
                        in_string = True
                    elif ch in (0x7B, 0x5B):
                        depth += 1
                    else:
                        depth -= 1
                        if depth == 0:
                            end = i
                            break
            if not dropped and i - start > self.limit:
                dropped = True
                preview = self.buf[start : start + PREVIEW_BYTES]
            if dropped and i > _CHUNK:  # forget what was scanned, keep line count right
                self.line += self.buf.count(b"\n", self.pos, i)
                self.buf = self.buf[i:]
                self.base += i
                self.pos = 0
                i = 0
                start = 0
        body = preview if dropped else self.buf[start:end]
        oversize = dropped or end - start > self.limit
        if oversize and not dropped:
            body = self.buf[start : start + PREVIEW_BYTES]
        self._advance(end)
        return start_line, body, oversize, False

    @property
    def offset(self) -> int:
        return self.base + self.pos


def _iter_json_array(f: BinaryIO, limit: int) -> Iterator[RawRecord]:
    sc = _ArrayScanner(f, limit)
    first = sc.skip_ws()
    if first == 0xEF and sc.buf[sc.pos : sc.pos + 3] == b"\xef\xbb\xbf":
        sc.pos += 3
        first = sc.skip_ws()
    if first != 0x5B:
        yield RawRecord(
            0, sc.line, None, "not a JSON array", sc.buf[sc.pos : sc.pos + PREVIEW_BYTES], sc.offset
        )
        return
    sc.pos += 1
    index = 0
    expect_value = True
    while True:
        ch = sc.skip_ws()
        if ch is None:
            yield RawRecord(
                index, sc.line, None, "the file ends before the array's closing ']'", b"", sc.offset
            )
            return
        if ch == 0x5D:  # ]
            return
        if ch == 0x2C:  # ,
            sc.pos += 1
            expect_value = True
            continue
        line, body, oversize, truncated = sc.element()
        if truncated:
            yield RawRecord(
                index, line, None, "the file ends inside this record (truncated)", body, sc.offset
            )
            return
        if oversize:
            yield RawRecord(
                index, line, None, f"record larger than the {limit}-byte cap", body[:PREVIEW_BYTES], sc.offset
            )
        elif not expect_value:
            value, error = _parse_json(body)
            reason = "missing ',' before this record" + (f"; {error}" if error else "")
            yield RawRecord(index, line, None, reason, body[:PREVIEW_BYTES], sc.offset)
        else:
            value, error = _parse_json(body)
            yield RawRecord(index, line, value, error, body[:PREVIEW_BYTES] if error else b"", sc.offset)
        index += 1
        expect_value = False


# ---------------------------------------------------------------------- CSV

_OVERSIZE_MARK = "\x00curagraph-oversize\x00"


def _csv_lines(f: BinaryIO, limit: int, offsets: list[int]) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
    pos = 0
    first = True
    while True:
        line, consumed, oversize = _read_line(f, limit)
        if not consumed:
            return
        pos += consumed
        offsets[0] = pos
        if oversize:
            yield _OVERSIZE_MARK + "\n"
            continue
        if first and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        first = False
        yield decoder.decode(line)


def _iter_csv(f: BinaryIO, limit: int, *, delimiter: str) -> Iterator[RawRecord]:
    csv.field_size_limit(max(limit, 131072))
    offsets = [0]
    reader = csv.reader(_csv_lines(f, limit, offsets), delimiter=delimiter)
    header: list[str] | None = None
    index = 0
    prev_line = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield RawRecord(index, prev_line + 1, None, f"invalid CSV: {exc}", b"", offsets[0])
            index += 1
            prev_line = reader.line_num
            continue
        start_line = prev_line + 1
        prev_line = reader.line_num
        if header is None:
            header = [h.strip() for h in row]
            continue
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        preview = ",".join(row).encode("utf-8", "surrogateescape")[:PREVIEW_BYTES]
        if row == [_OVERSIZE_MARK]:
            yield RawRecord(
                index, start_line, None, f"record larger than the {limit}-byte cap", b"", offsets[0]
            )
        elif any(_has_surrogates(v) for v in row):
            yield RawRecord(index, start_line, None, "invalid UTF-8 in the row", preview, offsets[0])
        elif len(row) != len(header):
            yield RawRecord(
                index,
                start_line,
                None,
                f"expected {len(header)} fields, found {len(row)}",
                preview,
                offsets[0],
            )
        else:
            yield RawRecord(index, start_line, dict(zip(header, row, strict=True)), None, b"", offsets[0])
        index += 1


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def preview_text(data: bytes) -> str:
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="replace").read()
