"""The parse side of an ingest, run as a child process: `python -m catalog.ingest.worker`.

The parent writes a pickled ParseSpec on stdin; the child streams length-prefixed pickled messages
on stdout: ("batch", ParsedBatch)..., then ("done", (quarantined, quarantine_file)) or
("error", text). The pipe is the backpressure (the child blocks while the parent writes a batch),
and a parent that died shows up as a broken pipe, on which the child exits.
"""

from __future__ import annotations

import os
import pickle
import struct
import sys
from typing import IO, Any

HEADER = struct.Struct("<Q")


def send(out: IO[bytes], message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(HEADER.pack(len(data)))
    out.write(data)
    out.flush()


def receive(stream: IO[bytes]) -> Any | None:
    """The next message, or None at end of stream."""
    head = stream.read(HEADER.size)
    if len(head) < HEADER.size:
        return None
    (size,) = HEADER.unpack(head)
    data = stream.read(size)
    if len(data) < size:
        return None
    return pickle.loads(data)


def main() -> None:
    from catalog.ingest.pipeline import _Quarantine, parse_file

    spec = pickle.load(sys.stdin.buffer)
    out = sys.stdout.buffer
    quarantine = _Quarantine(spec.quarantine_file)
    try:
        for batch in parse_file(spec, quarantine):
            send(out, ("batch", batch))
        send(out, ("done", (quarantine.count, quarantine.close())))
    except BrokenPipeError:  # the parent is gone
        os._exit(1)
    except BaseException as exc:
        quarantine.close()
        send(out, ("error", f"{type(exc).__name__}: {exc}"))


if __name__ == "__main__":
    main()
