"""Options that several commands share."""

from __future__ import annotations

from typing import Callable

import click


def select_options(fn: Callable) -> Callable:
    """``--select`` and ``--skip``: policy ids or globs, repeatable (see :func:`partyrules.api.selected`)."""
    fn = click.option("--skip", multiple=True, metavar="ID|GLOB",
                      help="Leave out the policies matching this id or glob (repeatable).")(fn)
    fn = click.option("--select", multiple=True, metavar="ID|GLOB",
                      help="Run only the policies matching this id or glob (repeatable).")(fn)
    return fn
