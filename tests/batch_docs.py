"""Small fact documents the batch tests share (test_batch.py, test_batch_stream.py): one clean, one with a
violation, one the loader refuses."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "tests" / "data" / "example-court.yaml"  # the facts contract's own example, copied in

CLEAN = "format: partyrules.facts/1\nas_of: 2024-06-30\n"
# three full members and no Party organization: constitution art.30 is violated
VIOLATED = """format: partyrules.facts/1
as_of: 2024-06-30
unit: {id: u-small, name: 某派出法庭}
organizations: []
members:
  - {id: m1, org: null, status: full}
  - {id: m2, org: null, status: full}
  - {id: m3, org: null, status: full}
"""
BAD = "format: partyrules.facts/1\nas_of: 2024-06-30\nmembers:\n  - {id: a, admitted_on: 2024-13-01}\n"


def write_docs(folder: Path) -> Path:
    """clean.yaml, violated.yaml and bad.yaml in ``folder``."""
    (folder / "clean.yaml").write_text(CLEAN, encoding="utf-8")
    (folder / "violated.yaml").write_text(VIOLATED, encoding="utf-8")
    (folder / "bad.yaml").write_text(BAD, encoding="utf-8")
    return folder
