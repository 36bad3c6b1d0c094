"""The ``parcours`` command: one entry point for every job of the stack."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from parcours.paths import HOME_ENV_VAR, resolve_data_dir
from parcours.telemetry import disable_telemetry

app = typer.Typer(
    help="Parcours: cross-channel customer journey analytics.",
    no_args_is_help=True,
    add_completion=False,
)

DataDirOption = Annotated[
    Path | None,
    typer.Option("--data-dir", help=f"Data directory (default: ${HOME_ENV_VAR} or ./data)."),
]


@app.callback()
def main(data_dir: DataDirOption = None) -> None:
    """Resolve the data directory once, so every subcommand and child process shares it."""
    disable_telemetry()
    os.environ[HOME_ENV_VAR] = str(resolve_data_dir(data_dir).root)


@app.command()
def simulate(
    customers: Annotated[int, typer.Option(min=1, help="Number of simulated people.")] = 10_000,
    days: Annotated[int, typer.Option(min=1, help="Number of simulated days.")] = 30,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives byte-identical files.")] = 42,
    start_date: Annotated[str, typer.Option(help="First simulated day (YYYY-MM-DD).")] = "2026-10-01",
    malformed_rate: Annotated[
        float, typer.Option(min=0.0, max=0.5, help="Share of records written malformed on purpose.")
    ] = 0.001,
    out: Annotated[
        Path | None,
        typer.Option(help="Write <out>/landing and <out>/truth instead of the data directory."),
    ] = None,
) -> None:
    """Generate a simulated omnichannel retail world: source exports plus ground truth."""
    from datetime import date

    from simulator import SimulationConfig, simulate_world

    target = out.resolve() if out else resolve_data_dir().root
    config = SimulationConfig(
        customers=customers,
        days=days,
        seed=seed,
        start_date=date.fromisoformat(start_date),
        malformed_rate=malformed_rate,
    )
    summary = simulate_world(config, landing_dir=target / "landing", truth_dir=target / "truth")
    typer.echo(summary.render())


if __name__ == "__main__":
    app()
