"""``partyrules example``: the bundled example court, so the quick start works from an installed wheel.

    partyrules example -o court.yaml && partyrules check court.yaml
"""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import UsageError
from . import emit, main


def bundled_examples_dir() -> Path:
    """Where the bundled examples live: inside the wheel, or in the source checkout."""
    installed = Path(__file__).resolve().parent.parent / "_builtin" / "examples"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent.parent / "examples"


@main.command("example")
@click.option("-o", "--output", metavar="FILE", help="Write the court to FILE instead of standard output.")
def example_cmd(output: str | None) -> None:
    """Print the bundled example court (a fact document with deliberate, commented problems)."""
    court = bundled_examples_dir() / "court.yaml"
    if not court.is_file():
        raise UsageError(f"the bundled example court is missing from this installation ({court})")
    emit(court.read_text(encoding="utf-8"), output)
