"""JSON Schemas (draft 2020-12) of the files people write: policy files and fact documents.

Shipped with the package so that editors can check a file while it is typed::

    # yaml-language-server: $schema=<path printed by `partyrules schema policy --path`>

``policy.schema.json`` describes one policy or a list of them (the shape
only: names, derived facts and citations are checked by ``partyrules lint``);
``facts.schema.json`` a fact document, ``partyrules.facts/1`` with the
additive extensions of ``docs/facts.md``. The loaders stay the
authority: a document can fit the schema and still be refused (a dangling id,
dates that contradict each other), never the reverse.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

NAMES = ("policy", "facts")


def schema_path(name: str) -> Path:
    """The installed file of schema ``name`` (``policy`` or ``facts``)."""
    if name not in NAMES:
        raise ValueError(f"unknown schema {name!r}: expected one of {', '.join(NAMES)}")
    return Path(str(resources.files(__name__).joinpath(f"{name}.schema.json")))


def schema_text(name: str) -> str:
    return schema_path(name).read_text(encoding="utf-8")


def load_schema(name: str) -> dict[str, Any]:
    return json.loads(schema_text(name))
