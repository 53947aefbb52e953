"""`ctxlint export`: audit transcripts at team scale and write per-team tables."""

from __future__ import annotations

import sys

import click

from ctxlint.cli.common import fail, guarded, no_cache_option, note
from ctxlint.cli.progress import progress_bar


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--output", "-o", required=True, type=click.Path(file_okay=False),
              help="Directory of the tables (sessions/, findings/, instructions/, _manifest.sqlite).")
@click.option("--format", "fmt", type=click.Choice(["parquet", "jsonl"]), default="parquet", show_default=True)
@click.option("--group-by", "group_by", type=click.Path(dir_okay=False),
              help="YAML mapping folder patterns (relative to the input root) to team names.")
@click.option("--pseudonymize", is_flag=True,
              help="Replace person/machine folder names (and home-directory user names) by salted hashes.")
@click.option("--salt", help="Secret salt for --pseudonymize (default: $CTXLINT_SALT).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes [default: cores].")
@click.option("--batch-size", type=click.IntRange(min=1), default=200, show_default=True,
              help="Files per written part.")
@click.option("--config", "config_file", type=click.Path())
@click.option("--no-config", is_flag=True)
@click.option("--project-root", "project_roots", multiple=True, type=click.Path(),
              help="Also read the instruction files of projects under this directory (by default only "
                   "projects inside your home directory are read).")
@no_cache_option
@guarded
def export(paths: tuple[str, ...], output: str, fmt: str, group_by: str | None, pseudonymize: bool,
           salt: str | None, jobs: int | None, batch_size: int,
           config_file: str | None, no_config: bool, project_roots: tuple[str, ...]) -> None:
    """Audit transcripts (one folder per person or machine) and write per-team tables.

    Writes sessions, findings and instructions tables as partitioned Parquet (or JSONL) under
    OUTPUT; a re-run skips files already exported. Read them with `ctxlint coach --from OUTPUT`
    or DuckDB: read_parquet('OUTPUT/sessions/*.parquet').
    """
    from ctxlint.config import resolve_config

    try:
        from ctxlint.team.export import export as run_export
    except ImportError:
        fail("export needs the team extras: pip install 'ctxlint[team]'")
    config = resolve_config(list(paths), config_file, no_config)
    progress = progress_bar() if sys.stderr.isatty() else None
    stats = run_export(list(paths), output, fmt=fmt, group_by=group_by, pseudonymize=pseudonymize,
                       salt=salt, jobs=jobs, config=config,
                       batch_files=batch_size, progress=progress, project_roots=project_roots)
    rows = ", ".join(f"{n:,} {name}" for name, n in stats.rows.items())
    note(
        f"exported {stats.exported:,} of {stats.files:,} transcript(s) to {output} "
        f"({stats.skipped:,} unchanged skipped, {stats.replaced:,} changed re-exported): {rows} row(s) "
        f"in {stats.parts:,} part(s), {stats.bytes / 2**20:,.1f} MiB in {stats.seconds:.1f} s "
        f"({stats.mib_per_s:,.1f} MiB/s)"
    )
