"""The ``policykg`` command: a thin click group.

Each command lives in ``policykg.commands.<module>`` and is imported only when it runs, so that
``policykg validate`` does not pay for Flask or owlready2. Library errors become exit codes here.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys

import click

from policykg.errors import PolicyKGError

#: command name -> "module:attribute" of a click command.
COMMANDS: dict[str, str] = {
    "validate": "policykg.commands.validate:validate",
    "export": "policykg.commands.export:export",
    "stats": "policykg.commands.stats:stats",
    "reason": "policykg.commands.reason:reason",
    "serve": "policykg.commands.serve:serve",
    "queries": "policykg.commands.query:list_queries",
    "query": "policykg.commands.query:query",
    "enrich": "policykg.commands.enrich:enrich",
    "publish": "policykg.commands.publish:publish",
    "release": "policykg.commands.release:release",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMANDS if _importable(name))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None or not _importable(name):
            return None
        module, attribute = target.split(":")
        return getattr(importlib.import_module(module), attribute)


def _importable(name: str) -> bool:
    module = COMMANDS[name].split(":")[0]
    return importlib.util.find_spec(module) is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="policykg")
@click.option("--root", type=click.Path(file_okay=False), default=None,
              help="Project folder (default: $POLICYKG_ROOT, the current folder, or the checkout).")
@click.pass_context
def cli(ctx: click.Context, root: str | None) -> None:
    """policykg: the knowledge graph of EU migration-related policy files."""
    ctx.obj = {"root": root}


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; map policykg errors to their exit codes with a one-line message, never a traceback."""
    try:
        # Without standalone mode click returns a command's ctx.exit(code) as the return value.
        status = cli.main(args=argv, prog_name="policykg", standalone_mode=False)
    except PolicyKGError as error:
        click.echo(f"Error: {error}", err=True)
        return error.exit_code
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 1
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except click.exceptions.Exit as done:
        return done.exit_code
    return status if isinstance(status, int) else 0


if __name__ == "__main__":
    sys.exit(main())
