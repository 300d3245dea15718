"""Length-prefixed pickled messages over a pipe: how the ingest's parser and the classifier talk
to their worker processes (plain subprocesses: multiprocessing's spawn re-imports the caller's
__main__, and its queues left orphans after a SIGKILL).

Both ends are curagraph processes started by the same curagraph; nothing else writes these pipes.
"""

from __future__ import annotations

import logging
import pickle
import struct
from typing import IO, Any

log = logging.getLogger(__name__)

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
