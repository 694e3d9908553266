"""`werkkring themes`: a contributions file becomes themes as JSON or as Markdown for a blog post."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from werkkring.config import Settings
from werkkring.errors import InputError
from werkkring.limits import SEED


class OutputFormat(StrEnum):
    json = "json"
    markdown = "markdown"


class BackendChoice(StrEnum):
    lexical = "lexical"
    embedding = "embedding"
    hybrid = "hybrid"


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
                "members": list(theme.members),
                "label_source": theme.label_source,
                "summary_source": theme.summary_source,
                "support": theme.support,
                "support_groups": list(theme.support_groups),
            }
            for theme in synthesis.themes
        ],
        "assignments": list(synthesis.assignments),
        "set_aside": [
            {"index": item.index, "reason": item.reason, "why": item.detail, "score": item.score}
            for item in synthesis.set_aside
        ],
        "cards": _cards(synthesis),
        "groups": list(synthesis.groups),
        "question": synthesis.question,
        "from_model": list(synthesis.from_model),
        "model_notes": list(synthesis.model_notes),
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


def _cards(synthesis: Any) -> list[dict[str, Any]]:
    """One entry per input contribution: its theme, or why it has none (``set_aside``)."""
    why = {item.index: item for item in synthesis.set_aside}
    cards = []
    for index, theme in enumerate(synthesis.assignments):
        item = why.get(index)
        cards.append(
            {
                "theme": theme,
                "set_aside": None if item is None else {"reason": item.reason, "why": item.detail},
            }
        )
    return cards


def themes_command(
    ctx: typer.Context,
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
    question: Annotated[
        str | None,
        typer.Option(
            help="The session's central question; lines that do not answer it are set aside, with the reason."
        ),
    ] = None,
    backend: Annotated[
        BackendChoice,
        typer.Option(
            help="hybrid (words and the offline multilingual embedding model), lexical (words only) or "
            "embedding (the model only)."
        ),
    ] = BackendChoice.hybrid,
    model: Annotated[
        Path | None,
        typer.Option(help="A local sentence-transformers model folder instead of the offline default model."),
    ] = None,
    seed: Annotated[
        int,
        typer.Option(
            min=SEED.minimum, max=SEED.maximum, help="Random seed; the same seed gives the same themes."
        ),
    ] = 0,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="json (for programs) or markdown (for a blog post).")
    ] = OutputFormat.json,
    out: Annotated[Path | None, typer.Option(help="Write here instead of standard output.")] = None,
) -> None:
    """Find the themes in a file of contributions: labels, summary lines, quotes and the undercurrent."""
    from werkkring.engines.synthesis import to_markdown
    from werkkring.io.contributions import read_contributions
    from werkkring.llm import LanguageModel, synthesize_with_model

    number = _themes_value(themes)
    settings = ctx.obj if isinstance(ctx.obj, Settings) else Settings.from_env()
    language_model = LanguageModel.from_settings(settings)
    data = read_contributions(
        contributions,
        text_column=text_column,
        group_column=group_column or "group",
        require_group_column=group_column is not None,
    )
    if not data.contributions:
        raise InputError("the file has no contributions, only a header", source=str(contributions))
    result = synthesize_with_model(
        data.contributions,
        model=language_model,
        question=question,
        themes=number,
        backend=backend.value,
        model_path=str(model) if model is not None else None,
        seed=seed,
    )
    for note in result.model_notes:
        typer.echo(f"werkkring: {note}", err=True)
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
