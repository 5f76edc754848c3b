"""Publish marts exactly as the pipeline does, pausing just before the atomic rename (for kill tests).

Usage: python publish_slowly.py <warehouse.duckdb> <marts.duckdb> <ready-marker> <pause seconds>

The marker file is written when the new copy is complete and only the rename is left, so a test
can SIGKILL the process at the worst moment and check that readers still see the old version.
"""

from __future__ import annotations

import os
import sys
import time
import types
from pathlib import Path

from orchestration.warehouse import publish


def main(build: str, target: str, marker: str, pause: float) -> None:
    def replace_slowly(src, dst):
        Path(marker).write_text(str(src), encoding="utf-8")
        time.sleep(pause)
        os.replace(src, dst)

    publish.os = types.SimpleNamespace(**{**vars(os), "replace": replace_slowly})
    publish.publish_marts(Path(build), Path(target))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]))
