"""`werkkring themes`: a contributions file becomes themes as JSON or as Markdown for a blog post."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from werkkring.errors import InputError


class OutputFormat(StrEnum):
    json = "json"
    markdown = "markdown"


class BackendChoice(StrEnum):
    lexical = "lexical"
    embedding = "embedding"


def _themes_value(value: str) -> int | str:
    if value.strip().lower() == "auto":
        return "auto"
    try:
        number = int(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not 'auto' or a whole number") from None
    if number < 1:
        raise typer.BadParameter(f"{value!r}: the number of themes must be at least 1")
    return number


def to_json(synthesis: Any) -> dict[str, Any]:
    return {
        "themes": [
            {
                "id": theme.id,
                "label": theme.label,
                "summary": theme.summary,
                "size": theme.size,
                "distinct": theme.distinct,
                "groups": list(theme.groups),
                "quotes": list(theme.quotes),
                "keywords": list(theme.keywords),
            }
            for theme in synthesis.themes
        ],
        "assignments": list(synthesis.assignments),
        "undercurrent": synthesis.undercurrent,
        "language": synthesis.language,
        "skipped": synthesis.skipped,
        "outliers": synthesis.outliers,
        "backend": synthesis.backend,
        "overview": [
            {
                "id": family.id,
                "label": family.label,
                "summary": family.summary,
                "size": family.size,
                "themes": list(family.themes),
                "groups": list(family.groups),
            }
            for family in synthesis.overview
        ],
    }


def themes_command(
    contributions: Annotated[
        Path, typer.Argument(help="UTF-8 .tsv or .csv file with a header; other columns are ignored.")
    ],
    text_column: Annotated[str, typer.Option(help="Column with the contribution text.")] = "text",
    group_column: Annotated[
        str | None,
        typer.Option(help="Column with the breakout group id (default: 'group', used when the file has it)."),
    ] = None,
    themes: Annotated[
        str, typer.Option("--themes", help="Number of themes, or 'auto' to choose it from the data.")
    ] = "auto",
    backend: Annotated[
        BackendChoice,
        typer.Option(help="lexical (offline, no model) or embedding (needs the 'embedding' extra)."),
    ] = BackendChoice.lexical,
    model: Annotated[
        Path | None,
        typer.Option(help="Local sentence-transformers model folder for --backend embedding."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same themes.")] = 0,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="json (for programs) or markdown (for a blog post).")
    ] = OutputFormat.json,
    out: Annotated[Path | None, typer.Option(help="Write here instead of standard output.")] = None,
) -> None:
    """Find the themes in a file of contributions: labels, summary lines, quotes and the undercurrent."""
    from werkkring.engines.synthesis import synthesize, to_markdown
    from werkkring.io.contributions import read_contributions

    number = _themes_value(themes)
    data = read_contributions(
        contributions,
        text_column=text_column,
        group_column=group_column or "group",
        require_group_column=group_column is not None,
    )
    result = synthesize(
        data.contributions,
        themes=number,  # type: ignore[arg-type]
        backend=backend.value,  # type: ignore[arg-type]
        model_path=str(model) if model is not None else None,
        seed=seed,
    )
    if output_format is OutputFormat.json:
        text = json.dumps(to_json(result), ensure_ascii=False, indent=2) + "\n"
    else:
        text = to_markdown(result)
    if out is None:
        typer.echo(text, nl=False)
    else:
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as error:
            raise InputError(f"cannot write: {error.strerror}", source=str(out)) from None
