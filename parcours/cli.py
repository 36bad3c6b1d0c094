"""The ``parcours`` command: one entry point for every job of the stack."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from parcours.paths import HOME_ENV_VAR, resolve_data_dir
from parcours.telemetry import disable_telemetry

if TYPE_CHECKING:
    from orchestration.run import RunSummary

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


@app.command()
def run(
    customers: Annotated[
        int, typer.Option(min=1, help="World size simulated when the landing zone is empty.")
    ] = 10_000,
    days: Annotated[int, typer.Option(min=1, help="Days simulated when the landing zone is empty.")] = 30,
    from_date: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="Backfill: re-read the landing files dated from this day (YYYY-MM-DD) and rebuild from it.",
        ),
    ] = None,
    to_date: Annotated[
        str | None,
        typer.Option("--to", help="Backfill: last landing day re-read (default: the newest)."),
    ] = None,
) -> None:
    """Run the whole pipeline in process: ingest, build, check, publish; then print a summary."""
    if to_date and not from_date:
        raise typer.BadParameter("--to needs --from", param_hint="--to")
    summary = _run_pipeline(customers, days, from_date, to_date)
    typer.echo(summary.render())
    if not (summary.success and summary.published):
        raise typer.Exit(code=1)


@app.command()
def demo(
    customers: Annotated[int, typer.Option(min=1, help="Number of simulated people.")] = 10_000,
    days: Annotated[int, typer.Option(min=1, help="Number of simulated days.")] = 30,
) -> None:
    """Simulate a world if none landed yet, run the pipeline, and say how to look at the results."""
    summary = _run_pipeline(customers, days)
    typer.echo(summary.render())
    data = resolve_data_dir()
    typer.echo(
        f"""
Results
  warehouse (live):     {data.warehouse}
  serving snapshot:     {data.serving}
  ground truth:         {data.truth}
  logs and alerts:      {data.logs}

Look at them
  App:         .venv/bin/parcours app   then open http://127.0.0.1:8501
  Dagster UI:  .venv/bin/parcours ui    then open http://127.0.0.1:3000
"""
    )
    if not (summary.success and summary.published):
        raise typer.Exit(code=1)


@app.command()
def evaluate(
    truth: Annotated[
        Path | None, typer.Option(help="Ground-truth folder of the simulator (default: <data dir>/truth).")
    ] = None,
) -> None:
    """Compare the warehouse with the simulator's ground truth; print the metrics as JSON."""
    import json

    from parcours.evaluate import evaluate as evaluate_warehouse

    data = resolve_data_dir()
    metrics = evaluate_warehouse(data.warehouse, truth or data.truth)
    typer.echo(json.dumps(metrics, indent=2, sort_keys=True))


@app.command()
def erase(
    email: Annotated[str | None, typer.Option(help="E-mail address of the person.")] = None,
    phone: Annotated[str | None, typer.Option(help="Phone number of the person.")] = None,
    loyalty_number: Annotated[str | None, typer.Option(help="Loyalty card number of the person.")] = None,
    social_handle: Annotated[str | None, typer.Option(help="Social handle of the person.")] = None,
    customer_key: Annotated[str | None, typer.Option(help="Customer key (dim_customers).")] = None,
    country: Annotated[
        str | None, typer.Option(help="ISO country of a national phone number (default FR).")
    ] = None,
) -> None:
    """Erase one person everywhere (warehouse, snapshots, load files), suppress them and audit it."""
    from parcours.erasure import ErasureError, ErasureRequest
    from parcours.erasure import erase as erase_person

    given = {
        kind: value
        for kind, value in (
            ("email", email),
            ("phone", phone),
            ("loyalty_number", loyalty_number),
            ("social_handle", social_handle),
            ("customer_key", customer_key),
        )
        if value is not None
    }
    if len(given) != 1:
        raise typer.BadParameter(
            "give exactly one of --email, --phone, --loyalty-number, --social-handle, --customer-key"
        )
    [(kind, value)] = given.items()
    try:
        report = erase_person(resolve_data_dir().ensure(), ErasureRequest(kind, value, country))
    except ErasureError as error:
        typer.echo(f"erasure refused: {error}", err=True)
        raise typer.Exit(code=2) from error
    typer.echo(report.render())


@app.command()
def ui(port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 3000) -> None:
    """Start the Dagster UI (``dagster dev``) on 127.0.0.1 with the data directory's instance."""
    from orchestration.environment import (
        REPOSITORY_ROOT,
        ensure_dbt_manifest,
        executable,
        prepare_dagster_home,
    )

    data = resolve_data_dir().ensure()
    prepare_dagster_home(data)
    ensure_dbt_manifest()
    command = [
        executable("dagster"),
        "dev",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--module-name",
        "orchestration.definitions",
    ]
    typer.echo(f"Dagster UI on http://127.0.0.1:{port} (Ctrl+C to stop)")
    os.chdir(REPOSITORY_ROOT)
    os.execv(command[0], command)


@app.command(name="app")
def app_command(port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8501) -> None:
    """Start the Streamlit app on 127.0.0.1; it reads the published snapshot only."""
    from orchestration.environment import REPOSITORY_ROOT, executable

    resolve_data_dir().ensure()
    command = [
        executable("streamlit"),
        "run",
        str(REPOSITORY_ROOT / "apps" / "app.py"),
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    typer.echo(f"Parcours app on http://127.0.0.1:{port} (Ctrl+C to stop)")
    os.execv(command[0], command)


@app.command()
def bench(
    customers: Annotated[int, typer.Option(min=1, help="Number of simulated people.")] = 10_000,
    days: Annotated[int, typer.Option(min=1, help="Number of simulated days of the full build.")] = 30,
    seed: Annotated[int, typer.Option(help="Random seed of the simulated world.")] = 42,
    results_dir: Annotated[
        Path | None, typer.Option(help="Where <time>_<scale>.json|.md go (default: bench/results).")
    ] = None,
    work_dir: Annotated[
        Path | None,
        typer.Option(help="Parent of the benchmark's scratch data directory (default: <results-dir>/tmp)."),
    ] = None,
    keep_data: Annotated[bool, typer.Option(help="Keep the scratch data directory afterwards.")] = False,
    skip_incremental: Annotated[bool, typer.Option(help="Skip the daily incremental run.")] = False,
    skip_orchestration: Annotated[
        bool, typer.Option(help="Skip the Dagster rerun that measures orchestration overhead.")
    ] = False,
) -> None:
    """Benchmark the pipeline on a simulated world: every stage, a daily increment, the targets."""
    from bench import BenchConfig, record, run_benchmark
    from bench.report import write_results
    from bench.runner import DEFAULT_RESULTS_DIR, BenchRun

    config = BenchConfig(
        customers=customers,
        days=days,
        seed=seed,
        results_dir=(results_dir or DEFAULT_RESULTS_DIR).resolve(),
        work_dir=work_dir,
        keep_data=keep_data,
        incremental=not skip_incremental,
        orchestration=not skip_orchestration,
    )

    def save_partial(partial: BenchRun) -> None:
        if not partial.complete:  # the complete run is recorded below, README included
            write_results(partial, config.results_dir)

    run = run_benchmark(config, echo=lambda message: typer.echo(message, err=True), checkpoint=save_partial)
    json_path, markdown_path, markdown = record(run, config.results_dir)
    typer.echo(markdown)
    typer.echo(f"Results: {json_path}\n         {markdown_path}")


def _run_pipeline(
    customers: int, days: int, from_date: str | None = None, to_date: str | None = None
) -> RunSummary:
    """Simulate the default world into an empty landing zone, then run the whole graph."""
    from orchestration.backfill import BackfillWindow
    from orchestration.run import run_pipeline

    backfill = BackfillWindow(from_date=from_date, to_date=to_date)
    if backfill.active:
        try:
            backfill.bounds()
        except ValueError as error:
            raise typer.BadParameter(str(error), param_hint="--from/--to") from error

    data = resolve_data_dir().ensure()
    if not any(data.landing.rglob("*.jsonl")):
        typer.echo(f"The landing zone is empty: simulating {customers:,} customers over {days} days first.")
        simulate(customers=customers, days=days)
    return run_pipeline(backfill=backfill if backfill.active else None)


if __name__ == "__main__":
    app()
