"""Classification in a child process: `python -m catalog.classify.worker`.

A plain subprocess over pipes, as the ingest's parser (multiprocessing's spawn would re-import the
caller's __main__). The parent sends ("init", (ontology extension paths, the catalog's learned task models or None)), then one ("rows", rows)
per page and reads one ("decisions", [...]) or ("error", text) back for each; end of input ends
the child, and a parent that died shows up as a broken pipe, on which the child exits.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from typing import Any

from catalog.errors import CatalogError
from catalog.pipe import receive, send

log = logging.getLogger(__name__)


class ClassifyWorker:
    """The parent's handle on one child."""

    def __init__(self, schema: Any, models: Any = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "catalog.classify.worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        if self.proc.stdin is None or self.proc.stdout is None:
            raise CatalogError("the classifier worker started without its pipes", hint="report this as a bug")
        self._in, self._out = self.proc.stdin, self.proc.stdout
        send(self._in, ("init", (schema, models)))  # the parent's schema, its extensions included

    def submit(self, rows: list[dict[str, Any]]) -> None:
        send(self._in, ("rows", rows))

    def result(self) -> Any:
        from catalog.errors import CatalogError

        message = receive(self._out)
        if message is None:
            raise CatalogError(
                f"a classification process stopped early (exit code {self.proc.wait(timeout=30)})"
            )
        kind, payload = message
        if kind != "decisions":
            raise CatalogError(f"classification failed: {payload}")
        return payload

    def close(self) -> None:
        if self.proc.poll() is None:
            self._in.close()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._out.close()


def main() -> None:
    from catalog.classify.rules import Classifier
    from catalog.classify.run import decide

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    classifier: Classifier | None = None
    models = None
    try:
        while (message := receive(stdin)) is not None:
            kind, payload = message
            try:
                if kind == "init":
                    schema, models = payload
                    classifier = Classifier(schema)
                    continue
                if classifier is None:
                    raise RuntimeError("rows before init")
                send(stdout, ("decisions", decide(payload, classifier, models)))
            except BrokenPipeError:
                raise
            except Exception as exc:
                send(stdout, ("error", f"{type(exc).__name__}: {exc}"))
    except BrokenPipeError:  # the parent is gone
        os._exit(1)


if __name__ == "__main__":
    main()
