"""The ``partyrules`` command, on top of the same API the library offers.

One module per subcommand (``check``, ``test`` …), each registering itself on
:data:`main`; this module holds the group, the error handling and the output.
A subcommand's module is imported only when that command runs (or ``--help``
lists them all), so ``partyrules check`` does not pay for the imports of
``lint``, ``test`` or ``ledger`` (hypothesis, openpyxl …).

Exit statuses (report-v1): 0 nothing fails, 1 a violation fails (``check
--fail-on``: by default a violated policy of severity error; a warning alone
exits 0), 2 the input, a policy or the command line is wrong — with one line on standard error
that names the file and the path or line:column, never a traceback. Output is
rendered whole before anything is written, so nothing is ever half-written —
except a batch (``check`` with several documents), which writes to standard
output as documents finish; its ``-o FILE`` still appears whole at the end.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import os
from typing import Iterable

import click

from .. import __version__
from ..errors import PartyrulesError
from ..report.safe_text import safe_line
from .output import write_output


def fail(message: str) -> "click.exceptions.Exit":
    click.echo(f"partyrules: {safe_line(message)}", err=True)
    return click.exceptions.Exit(2)


def emit(text: str, output: str | None, inputs: Iterable[object] = ()) -> None:
    """Write the whole text to standard output, or atomically to a file that is none of ``inputs``."""
    write_output(text, output, inputs)


# the subcommands, by the module that registers each: imported on first use
COMMANDS = {
    "check": "check", "coverage": "coverage", "diff": "diff", "example": "example", "explain": "explain",
    "ledger": "ledger", "lint": "lint", "schema": "schema", "test": "test", "timeline": "timeline",
    "upcoming": "upcoming",
}


class _Group(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(COMMANDS))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            importlib.import_module(f"{__name__}.{COMMANDS[cmd_name]}")     # it adds its command to main
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context):
        # A command is most often the whole life of its process, and the collector's last passes at exit walk
        # every object still alive (the rulebook, the court, the results) only to find no garbage: ~45 ms CPU
        # of a ~380 ms `partyrules check`, measured. Frozen at exit, they are left to the operating system
        # with the rest of the process. In a process that goes on (tests, a caller) nothing changes until it
        # exits. Unregistered first so that it is registered once however many commands run.
        atexit.unregister(gc.freeze)
        atexit.register(gc.freeze)
        try:
            return super().invoke(ctx)
        except PartyrulesError as exc:
            raise fail(_one_line(exc)) from None
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except BrokenPipeError:
            raise click.exceptions.Exit(1) from None
        except OSError as exc:     # the environment, not a bug: say which path and what is wrong with it
            where = f"{exc.filename}: " if exc.filename else ""
            raise fail(f"{where}{exc.strerror or exc}") from None
        except RecursionError:
            raise fail("the input is nested too deeply") from None
        except Exception as exc:  # a bug: still one line, and the exit status of a failed check
            if os.environ.get("PARTYRULES_DEBUG"):
                raise
            raise fail(f"internal error: {type(exc).__name__}: {exc} "
                        "(a bug in partyrules; PARTYRULES_DEBUG=1 shows the traceback)") from None


def _one_line(exc: PartyrulesError) -> str:
    text = safe_line(str(exc))
    more = getattr(exc, "more", 0)
    return f"{text} [+{more} more]" if more else text


one_line = _one_line      # public: a batch's per-document errors are printed as the group prints one error


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="partyrules")
def main() -> None:
    """Check a court's Party organizations against the articles of Party regulations."""


