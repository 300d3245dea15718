"""The parse side of an ingest, run as a child process: `python -m catalog.ingest.worker`.

The parent writes a pickled ParseSpec on stdin; the child streams length-prefixed pickled messages
on stdout: ("batch", ParsedBatch)..., then ("done", (quarantined, quarantine_file)) or
("error", text). The pipe is the backpressure (the child blocks while the parent writes a batch),
and a parent that died shows up as a broken pipe, on which the child exits.
"""

from __future__ import annotations

import logging
import os
import pickle
import sys

from catalog.pipe import send

log = logging.getLogger(__name__)


def main() -> None:
    from catalog.ingest.parse import parse_file
    from catalog.ingest.quarantine import Quarantine

    spec = pickle.load(sys.stdin.buffer)
    out = sys.stdout.buffer
    quarantine = Quarantine(spec.quarantine_file)
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
