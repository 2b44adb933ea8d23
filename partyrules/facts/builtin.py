"""Every built-in derived fact, by name.

The core facts (:mod:`.derive`) and the development and dues facts (:mod:`.derive_devt`, which count with
some of the core ones) are gathered here, so that the core module need not import the one built on it.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

from .derive import DERIVED as CORE
from .derive import Derived
from .derive_devt import DERIVED as DEVELOPMENT


def _by_name(*groups: tuple[Derived, ...]) -> Mapping[str, Derived]:
    found: dict[str, Derived] = {}
    for group in groups:
        for d in group:
            if d.name in found:
                raise RuntimeError(f"derived fact {d.name!r} is defined twice")
            found[d.name] = d
    return MappingProxyType(found)      # read-only: a rulebook copies it before adding a pack's own


BUILTIN: Mapping[str, Derived] = _by_name(CORE, DEVELOPMENT)
