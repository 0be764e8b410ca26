"""Command line: `mtqa check`, `mtqa fix`, `mtqa config`, `mtqa models`, `mtqa bench`, `mtqa corpus`, `mtqa corpus-summary`.

Exit codes: 0 nothing flagged (or nothing to do), 1 something flagged, 2 a usage
or input error (one line on stderr, never a traceback), 130 interrupted.
Each command lives in its own module and registers itself on the shared `app`.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from mtqa.bench.command import bench
from mtqa.cli import check, config, fix, models  # noqa: F401  (each registers its command)
from mtqa.cli import corpus  # noqa: F401  (corpus mode: `corpus`, `corpus-summary`)
from mtqa.cli import quiet
from mtqa.cli.common import app, err, fail
from mtqa.errors import MtqaError

app.command()(bench)  # the bench command lives with the benchmark code


@app.callback()
def options(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Let through the warnings, log lines and progress bars of the libraries mtqa uses.")
    ] = False,
) -> None:
    """Options for every command (they go before the command's name: mtqa --verbose check ...)."""
    quiet.configure(verbose)


def _usage_error(error) -> int:
    """Click's usage errors as one line (plus help when no arguments were given); exit code 2."""
    from typer._click.exceptions import NoArgsIsHelpError

    if isinstance(error, NoArgsIsHelpError):
        error.show()
        return 2
    where = f" (see `{error.ctx.command_path} --help`)" if getattr(error, "ctx", None) else ""
    fail(f"{error.format_message()}{where}")
    return 2


def main() -> None:
    """The `mtqa` command: exit 0 clean, 1 flagged, 2 usage or input error (one line, no traceback), 130 interrupted."""
    try:
        code = app(standalone_mode=False)  # typer returns the exit code instead of exiting
    except MtqaError as error:
        fail(str(error))
        code = 2
    except KeyboardInterrupt:
        code = 130
    except Exception as error:  # click's usage errors arrive here in non-standalone mode (from typer's own click)
        from typer._click.exceptions import ClickException

        if isinstance(error, ClickException):
            code = _usage_error(error)
        elif isinstance(error, (typer.Abort, EOFError)):
            code = 130
        elif os.environ.get("MTQA_DEBUG"):
            raise
        else:
            fail(f"internal error {type(error).__name__}: {error} (please report it; MTQA_DEBUG=1 shows the traceback)")
            code = 2
    if code == 130:
        err.print("mtqa: interrupted", highlight=False)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
