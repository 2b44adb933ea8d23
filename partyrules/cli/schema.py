"""``partyrules schema policy|facts``: the JSON Schema of policy files or fact documents."""

from __future__ import annotations

import click

from ..schemas import NAMES, schema_path, schema_text
from . import emit, main


@main.command("schema")
@click.argument("name", type=click.Choice(NAMES))
@click.option("--path", "show_path", is_flag=True, help="Print where the schema file is installed instead.")
@click.option("-o", "--output", metavar="FILE", help="Write the schema to FILE (atomically) instead of stdout.")
def schema_cmd(name: str, show_path: bool, output: str | None) -> None:
    """Print the JSON Schema (draft 2020-12) of a policy file or a fact document.

    \b
    Editors that use the YAML language server (VS Code's YAML extension,
    Neovim, Emacs lsp-mode …) check a file as it is typed when its first
    line names the schema:
      # yaml-language-server: $schema=/path/to/policy.schema.json
    Get the path with `partyrules schema policy --path`, or write a copy
    next to your pack with `partyrules schema policy -o policy.schema.json`
    and refer to it as $schema=../../policy.schema.json. See docs/editor.md.

    The schema checks the shape (keys, types, enums, dates); names, derived
    facts, citations and examples are checked by `partyrules lint`.
    """
    if show_path:
        emit(str(schema_path(name)) + "\n", None)
        return
    emit(schema_text(name), output)
