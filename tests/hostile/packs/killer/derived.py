"""A pack whose derived fact kills its process for one unit: a worker that dies mid-batch."""

import os
import signal

from partyrules.rulebook.packs import derived


@derived("broken", args=())
def broken(view):
    if view.facts.unit.id == "kill-me":
        os.kill(os.getpid(), signal.SIGKILL)
    return 1
