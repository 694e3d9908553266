"""Matching quality within and across languages, five variants side by side, in one run (issue 16).

    python bench/connections/languages.py [--members 300] [--cross-members 200] [--draws 3]
        [--sets banking77,...] [--speed 2000,10000] [--out bench/results/connections-languages.md]

Part 1, same language: a network from every labelled set in ../shared/data (networks.build_network).
Part 2, across languages: needs in one language, offers in the other, from the parallel xsid and sib200 sets
(same rows, same labels in Dutch and English; networks.build_cross_network), ``--cross-members`` members,
offers going round more than once where the set is too small (xsid). Each network is drawn ``--draws``
times (seeds 0, 1, 2, ...: other texts, other members); cells give the mean and the standard deviation over
the draws, the average row the mean over sets per draw, then mean and spread of that over the draws.

The five variants: *random*; *TF-IDF cosine* (scikit-learn defaults, the need against the member's offers
pasted together); *lexical werkkring*, *semantic alone* and *hybrid* = ``match_members`` with
``backend="lexical" / "embedding" / "hybrid"`` and every default as shipped (``HybridSettings()``, reciprocal
bonus 0.25). Nothing is chosen or tuned here: the settings are the engine's defaults. (Those defaults were
chosen by quality.py on draws of these same shared sets, so part 1 is not a held-out measurement.)

Part 3 checks the reasons of the hybrid's cross-language suggestions: that the need and offer quoted are the
member's own need and the suggested member's own offer, that every "shared" word really occurs in both, how
often a suggestion rests on meaning alone (no shared word), and prints a few such reasons as the connections
page phrases them, in the member's language (the page's gettext messages).

Part 4 (``--speed``): speed.py's measurements with the hybrid at the sizes given, members drawn from the
texts of parts 1-2 (embedded once, in the on-disk cache of embeddings.py).

Embeddings come from that cache; texts never seen are embedded first, and stored as they go (an
interrupted run resumes).
"""

# ruff: noqa: E402
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import datetime as dt
import multiprocessing
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from embeddings import cached_embedder
from networks import PARALLEL, Network, build_cross_network, build_network, data_sets
from quality import K, Ranking, metrics, random_ranking, tfidf_cosine

from werkkring.engines.connections import MemberMatches, match_members
from werkkring.engines.connections._space import content_words
from werkkring.i18n import translator

METHODS = ("random", "TF-IDF cosine", "lexical werkkring", "semantic alone", "hybrid")
BACKEND_OF = {"lexical werkkring": "lexical", "semantic alone": "embedding", "hybrid": "hybrid"}
LANGUAGE_OF_SET = {"nld": "nl", "eng": "en"}
# The connections page's sentences (templates/connections.html), looked up in the member's language.
NEED_MEETS_OFFER = "Your need “%(need)s” meets their offer “%(offer)s”."
SHARED_WORDS = "Shared words: %(words)s."

Scores = dict[str, list[tuple[float, float]]]  # method -> (P@5, MRR@10) per draw


@dataclass
class Part:
    title: str
    scores: dict[str, Scores] = field(default_factory=dict)  # network -> method -> per draw
    members: dict[str, set[int]] = field(default_factory=dict)


def _ids(network: Network, results: Sequence[MemberMatches]) -> Ranking:
    index = {p.id: i for i, p in enumerate(network.profiles)}
    return [[index[m.id] for m in r.matches] for r in results]


def prefill(network: Network, done: set[str]) -> None:
    """Embed the network's texts the cache does not hold yet, in chunks stored as they go."""
    texts = sorted({t for p in network.profiles for t in (*p.needs, *p.offers)} - done)
    if not texts:
        return
    embedder = cached_embedder()
    before, started = embedder.encoded, time.perf_counter()
    for start in range(0, len(texts), 512):
        embedder.encode(texts[start : start + 512], kind="query")
    done.update(texts)
    new = embedder.encoded - before
    if new:
        took = time.perf_counter() - started
        print(f"  embedded {new} new texts in {took:.0f} s ({new / took:.0f}/s)", flush=True)


def werkkring(backend: str, network: Network) -> list[MemberMatches]:
    encoder = cached_embedder() if backend != "lexical" else None
    return match_members(network.profiles, top=K, backend=backend, encoder=encoder)  # type: ignore[arg-type]


def run_network(
    part: Part, network: Network, draw: int, done: set[str], keep: dict[tuple[str, int], list[MemberMatches]]
) -> None:
    prefill(network, done)
    row = part.scores.setdefault(network.name, {})
    part.members.setdefault(network.name, set()).add(len(network.profiles))
    line = []
    for method in METHODS:
        started = time.perf_counter()
        if method == "random":
            ranking = random_ranking(network)
        elif method == "TF-IDF cosine":
            ranking = tfidf_cosine(network)
        else:
            results = werkkring(BACKEND_OF[method], network)
            if method == "hybrid":
                keep[(network.name, draw)] = results
            ranking = _ids(network, results)
        row.setdefault(method, []).append(metrics(network, ranking))
        line.append(f"{method} {row[method][-1][0]:.3f} ({time.perf_counter() - started:.1f} s)")
    print(f"{network.name} draw {draw} ({len(network.profiles)} members): " + ", ".join(line), flush=True)


def _cell(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:.3f}"
    return f"{statistics.mean(values):.3f} ± {statistics.stdev(values):.3f}"


def per_draw_average(part: Part, method: str, metric: int) -> list[float]:
    """The mean over networks, for each draw."""
    draws = min(len(s[method]) for s in part.scores.values())
    return [float(np.mean([s[method][d][metric] for s in part.scores.values()])) for d in range(draws)]


def mean_of(scores: Scores, method: str, metric: int = 0) -> float:
    return float(np.mean([v[metric] for v in scores[method]]))


def table(part: Part, metric: int) -> list[str]:
    name = "P@5" if metric == 0 else "MRR@10"
    lines = [
        "| network | members | " + " | ".join(METHODS) + " | hybrid − TF-IDF |",
        "|---|---:|" + "---:|" * (len(METHODS) + 1),
    ]
    for network, scores in part.scores.items():
        members = "/".join(str(m) for m in sorted(part.members[network]))
        cells = [_cell([v[metric] for v in scores[m]]) for m in METHODS]
        gain = mean_of(scores, "hybrid", metric) - mean_of(scores, "TF-IDF cosine", metric)
        lines.append(f"| {network} | {members} | " + " | ".join(cells) + f" | {gain:+.3f} |")
    averages = {m: per_draw_average(part, m, metric) for m in METHODS}
    gains = [h - t for h, t in zip(averages["hybrid"], averages["TF-IDF cosine"], strict=True)]
    lines.append(
        f"| **average ({name})** | | "
        + " | ".join(f"**{_cell(averages[m])}**" for m in METHODS)
        + f" | **{_cell(gains)}** |"
    )
    return lines


def losses(part: Part) -> list[str]:
    """Where the hybrid is below TF-IDF, the lexical matcher or the model alone (mean P@5 over draws)."""
    out = []
    for network, scores in part.scores.items():
        hybrid = mean_of(scores, "hybrid")
        for method in ("TF-IDF cosine", "lexical werkkring", "semantic alone"):
            other = mean_of(scores, method)
            if hybrid < other:
                out.append(f"{network}: hybrid {hybrid:.3f} < {method} {other:.3f} ({hybrid - other:+.3f})")
    return out


def member_language(network_name: str) -> str:
    return LANGUAGE_OF_SET.get(network_name.split(" ")[0].split("-")[-1], "nl")


@dataclass
class ReasonCheck:
    suggestions: int = 0
    wrong_need: int = 0
    wrong_offer: int = 0
    shared_not_in_both: int = 0
    meaning_only: int = 0
    meaning_only_relevant: int = 0
    shared_relevant: int = 0
    meaning_without_phrase: int = 0
    right_quote: int = 0
    """Right suggestions whose reason quotes the very offer that carries the need's label."""
    examples: list[str] = field(default_factory=list)


def _words(text: str) -> set[str]:
    """The text's content words under any language the engine may have taken the network to be in."""
    return {w for language in ("nl", "en", "mixed") for w in content_words(text, language)}  # type: ignore[arg-type]


def check_reasons(
    networks: dict[tuple[str, int], Network], kept: dict[tuple[str, int], list[MemberMatches]]
) -> ReasonCheck:
    check = ReasonCheck()
    shown: dict[str, int] = {}
    seen: set[tuple[str, int]] = set()  # one example per member
    for key, results in kept.items():
        network = networks[key]
        index = {p.id: i for i, p in enumerate(network.profiles)}
        language = member_language(network.name)
        say = translator(language)
        for i, result in enumerate(results):
            profile = network.profiles[i]
            for match in result.matches[:5]:
                j = index[match.id]
                relevant = network.relevant(i, j)
                check.suggestions += 1
                check.wrong_need += match.need not in profile.needs
                check.wrong_offer += match.offer not in network.profiles[j].offers
                need_words, offer_words = _words(match.need), _words(match.offer)
                other = network.profiles[j]
                quoted_label = {
                    lab
                    for t, lab in zip(other.offers, network.offer_labels[j], strict=True)
                    if t == match.offer
                }
                quotes_right = network.need_label[i] in quoted_label
                check.right_quote += relevant and quotes_right
                if match.shared:
                    check.shared_relevant += relevant
                    check.shared_not_in_both += any(
                        w not in need_words or w not in offer_words for w in match.shared
                    )
                    continue
                check.meaning_only += 1
                check.meaning_only_relevant += relevant
                check.meaning_without_phrase += "close in meaning" not in match.why
                first = (network.name, i) not in seen
                if quotes_right and key[1] == 0 and first and shown.get(network.name, 0) < 2:
                    shown[network.name] = shown.get(network.name, 0) + 1
                    seen.add((network.name, i))
                    page = say(NEED_MEETS_OFFER) % {"need": match.need, "offer": match.offer}
                    check.examples.append(
                        f"- **{network.name}**, member {profile.id} (page in `{language}`), label "
                        f"`{network.need_label[i]}`:\n  - page: {page}\n  - engine (`why`, CLI and JSONL): "
                        f"{match.why}"
                    )
    return check


def machine() -> str:
    memory = "?"
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            kb = int(handle.readline().split()[1])
            memory = f"{kb / 1024 / 1024:.0f} GB RAM"
    except OSError:
        pass
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, {memory}, Python {platform.python_version()}, "
        "one thread (OMP/BLAS 1), no GPU"
    )


def commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def speed_rows(sizes: list[int], texts: list[str]) -> list[str]:
    lines = [
        "| members | texts | Matcher fit (s) | SearchIndex fit (s) | suggest median / slowest of 50 (ms) "
        "| search (ms) | update 1 member (ms) | then suggest + search (ms) | update 19 more (ms) "
        "| then suggest (ms) | peak memory (MB) | load |",
        "|---:|" + "---:|" * 11,
    ]
    context = multiprocessing.get_context("fork")
    for size in sizes:
        with context.Pool(1) as pool:  # a process per size: its own peak memory
            r = pool.apply(run_speed, (size, texts))
        line = (
            f"| {r['members']:,.0f} | {r['texts']:,.0f} | {r['fit']:.1f} | {r['index']:.1f} | "
            f"{r['suggest_ms']:.0f} / {r['suggest_max_ms']:.0f} | {r['search_ms']:.0f} | "
            f"{r['update_one_ms']:.0f} | {r['after_one_ms']:.0f} | {r['update_many_ms']:.0f} | "
            f"{r['after_many_ms']:.0f} | {r['peak_mb']:.0f} | {r['load']:.1f} |"
        )
        print(line, flush=True)
        lines.append(line)
    return lines


def run_speed(size: int, texts: list[str]) -> dict[str, float]:
    """In a forked process: its own database connection for the embedding cache, not the parent's."""
    import speed

    cached_embedder.cache_clear()
    return speed.measure(size, "hybrid", texts)


def speed_intro(texts: int) -> str:
    return (
        "Members draw 1-2 needs and 1-3 offers (with replacement) from the texts of the quality networks "
        f"({texts:,} distinct texts, all embedded before the fit, as the app's database cache holds them); "
        "the updates embed their new texts for real. Each size in its own process, one thread."
    )


def speed_only(
    args: argparse.Namespace, texts: list[str], started_at: dt.datetime, load: tuple[float, ...]
) -> None:
    rows = speed_rows([int(s) for s in args.speed.split(",") if s], texts)
    command = "python bench/connections/" + " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])
    lines = [
        "## Speed and memory, hybrid (speed.py's measurements)",
        "",
        f"Command: `{command}`. Date: {started_at:%Y-%m-%d %H:%M} UTC, commit {commit()}. Machine: "
        f"{machine()}; load average {load[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end.",
        "",
        speed_intro(len(texts)),
        "",
        *rows,
    ]
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


def targets(same: Part, cross: Part) -> list[str]:
    same_gain = [
        h - t
        for h, t in zip(
            per_draw_average(same, "hybrid", 0), per_draw_average(same, "TF-IDF cosine", 0), strict=True
        )
    ]
    cross_avg = per_draw_average(cross, "hybrid", 0)
    cross_each = {n: mean_of(s, "hybrid") for n, s in cross.scores.items()}
    below = [
        f"{n} ({mean_of(s, 'hybrid') - mean_of(s, 'TF-IDF cosine'):+.3f})"
        for part in (same, cross)
        for n, s in part.scores.items()
        if mean_of(s, "hybrid") < mean_of(s, "TF-IDF cosine")
    ]

    def verdict(ok: bool) -> str:
        return "**met**" if ok else "**not met**"

    lowest = min(cross_each, key=lambda n: cross_each[n])
    return [
        f"- Across languages P@5 ≥ 0.70: {verdict(statistics.mean(cross_avg) >= 0.70)} on average "
        f"({_cell(cross_avg)}); per network "
        + ", ".join(f"{n} {v:.3f}" for n, v in cross_each.items())
        + f" (lowest: {lowest}).",
        f"- Same language P@5 ≥ TF-IDF + 0.15 on average: {verdict(statistics.mean(same_gain) >= 0.15)} "
        f"(hybrid − TF-IDF {_cell(same_gain)}; and these are the shared sets the defaults were chosen on, "
        "not held-back ones).",
        f"- No set below TF-IDF: {verdict(not below)}"
        + (f" (below: {', '.join(below)})." if below else " (every network, both parts)."),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=300, help="same-language network size (at most)")
    parser.add_argument("--cross-members", type=int, default=200)
    parser.add_argument("--draws", type=int, default=3)
    parser.add_argument("--sets", default=",".join(data_sets()))
    parser.add_argument("--cross", default=",".join(f"{a}:{b}" for a, b in PARALLEL))
    parser.add_argument("--speed", default="", help="hybrid speed rows at these sizes: 2000,10000")
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--speed-only", action="store_true", help="only the speed rows (members from the networks' texts)"
    )
    parser.add_argument(
        "--embed-only", action="store_true", help="only fill the embedding cache with the networks' texts"
    )
    args = parser.parse_args()
    started_at = dt.datetime.now(dt.UTC)
    load_before = os.getloadavg()
    started = time.perf_counter()
    same, cross = Part("same language"), Part("across languages")
    done: set[str] = set()
    kept: dict[tuple[str, int], list[MemberMatches]] = {}
    cross_networks: dict[tuple[str, int], Network] = {}
    all_texts: set[str] = set()
    if args.embed_only or args.speed_only:
        for draw in range(args.draws):
            networks = [build_network(name, args.members, seed=draw) for name in args.sets.split(",") if name]
            for pair in (c for c in args.cross.split(",") if c):
                a, b = pair.split(":")
                networks.append(build_cross_network(a, b, args.cross_members, seed=draw, reuse_offers=True))
            for network in networks:
                if args.embed_only:
                    print(network.name, draw, flush=True)
                    prefill(network, done)
                all_texts.update(t for p in network.profiles for t in (*p.needs, *p.offers))
        if args.speed_only:
            speed_only(args, sorted(all_texts), started_at, load_before)
        return
    for draw in range(args.draws):
        for name in (n for n in args.sets.split(",") if n):
            network = build_network(name, args.members, seed=draw)
            run_network(same, network, draw, done, {})
            all_texts.update(t for p in network.profiles for t in (*p.needs, *p.offers))
        for pair in (c for c in args.cross.split(",") if c):
            need_set, offer_set = pair.split(":")
            network = build_cross_network(
                need_set, offer_set, args.cross_members, seed=draw, reuse_offers=True
            )
            run_network(cross, network, draw, done, kept)
            cross_networks[(network.name, draw)] = network
            all_texts.update(t for p in network.profiles for t in (*p.needs, *p.offers))
    quality_took = time.perf_counter() - started
    check = check_reasons(cross_networks, kept)
    speed_lines: list[str] = []
    sizes = [int(s) for s in args.speed.split(",") if s]
    if sizes:
        speed_lines = speed_rows(sizes, sorted(all_texts))
    load_after = os.getloadavg()
    command = "python bench/connections/" + " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])

    lines = [
        "# Connections within and across languages: random, TF-IDF, lexical, semantic, hybrid",
        "",
        f"Command: `{command}` (one run, all parts).",
        f"Date: {started_at:%Y-%m-%d %H:%M} UTC, commit {commit()}. Machine: {machine()}; shared with other "
        f"sessions' jobs: load average {load_before[0]:.1f} at the start, {load_after[0]:.1f} at the end "
        f"(1-minute), so times are upper bounds. Quality parts took {quality_took:.0f} s.",
        "",
        "Each member has one need (a text with label L) and three offers (texts of other labels); a "
        "suggestion is right when one of the suggested member's offers carries L. P@5: share of right "
        "suggestions among the first five; MRR@10: mean of 1/rank of the first right one within ten. "
        f"{args.draws} draws of each network (seeds 0-{args.draws - 1}); cells: mean ± standard deviation "
        "over the draws; the average row averages over networks per draw, then gives mean ± spread over the "
        "draws. All werkkring variants run with the engine's defaults as shipped (`match_members`, "
        "`HybridSettings()`: semantic weight 0.7 same language, 0.9 across, semantic smoothing 0.5, "
        "reciprocal bonus 0.25); nothing is tuned in this run.",
        "",
        "## Targets",
        "",
        *targets(same, cross),
        "",
        "Where the hybrid is below another variant (mean P@5 over the draws):",
        "",
        *(f"- {x}" for x in losses(same) + losses(cross)),
        *([] if losses(same) + losses(cross) else ["- nowhere"]),
        "",
        f"## Same language (networks of up to {args.members} members)",
        "",
        "P@5:",
        "",
        *table(same, 0),
        "",
        "MRR@10:",
        "",
        *table(same, 1),
        "",
        f"## Across languages (needs in one language, offers in the other; {args.cross_members} members)",
        "",
        "`a → b`: needs from set a, offers from its parallel set b (the same rows and labels in the other "
        "language; a member is never offered the translation of their own need). xsid has 634 rows, so its "
        f"{args.cross_members} members' offers come from the remaining rows, some offered by two members.",
        "",
        "P@5:",
        "",
        *table(cross, 0),
        "",
        "MRR@10:",
        "",
        *table(cross, 1),
        "",
        "## Reasons for cross-language suggestions (hybrid, all draws, top 5)",
        "",
        f"- suggestions checked: {check.suggestions}",
        f"- quoted need not the member's own need: {check.wrong_need}; quoted offer not the suggested "
        f"member's own offer: {check.wrong_offer}",
        f"- right suggestions whose reason quotes the offer that carries the need's label (not another "
        f"offer of the same member): {check.right_quote} of "
        f"{check.shared_relevant + check.meaning_only_relevant}",
        f"- suggestions naming shared words: {check.suggestions - check.meaning_only} "
        f"({check.shared_relevant} right); a named word missing from the need or the offer: "
        f"{check.shared_not_in_both}",
        f"- suggestions on meaning alone (no shared word): {check.meaning_only} "
        f"({check.meaning_only_relevant} right, "
        f"{check.meaning_only_relevant / max(check.meaning_only, 1):.2f}); of these without the engine's "
        f"'close in meaning': {check.meaning_without_phrase}",
        "",
        "Examples (two members per network: their first right suggestion on meaning alone in draw 0 whose "
        "quoted offer carries the need's label): the connections page's sentence in the member's language "
        "(its gettext message, as templates/connections.html renders it), and the "
        "engine's own `why`:",
        "",
        *check.examples,
    ]
    if speed_lines:
        lines += [
            "",
            "## Speed and memory, hybrid (speed.py's measurements)",
            "",
            speed_intro(len(all_texts)),
            "",
            *speed_lines,
        ]
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
