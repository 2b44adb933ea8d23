"""A pack whose derived fact calls sys.exit(0): must be an error naming the pack, never a silent exit 0."""

import sys

from partyrules.rulebook.packs import derived


@derived("broken", args=())
def broken(view):
    sys.exit(0)
