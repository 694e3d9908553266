"""Realistic labelled work sessions: how close the draft comes to what a careful facilitator made of them.

    python bench/synthesis/sessions.py                     # dev split, every variant it can run
    python bench/synthesis/sessions.py --split holdout     # the sessions written last, for checking
    python bench/synthesis/sessions.py --variants lexical,baseline --no-write

Sessions: ``bench/synthesis/sessions/<split>/*.tsv`` (columns group, text, theme; theme 0 = does not answer
the question) with a ``.json`` beside each (question, language, facilitator's theme titles); the dev split
also reads the shared ``session-17`` from ``../shared/examples`` (never copied into the repo).

Variants: ``baseline`` (TF-IDF 1-2-grams + LSA + k-means; auto = best silhouette), ``today`` (the engine as it
was before issue 15: run with ``--today-src PATH`` pointing at a checkout's ``src`` of commit 3fefa54),
``lexical``, ``embedding``, ``hybrid`` (this engine's feature sets), ``oracle`` (the hybrid labels on the
facilitator's own grouping: how good labels are when the clusters are right; only its label overlap counts).
Each variant's figures are written to ``bench/results/synthesis-sessions/<split>-<variant>.json`` and all
the files there are rendered side by side into ``bench/results/synthesis-sessions.md``.

Measures, per session: ARI against the labels over all contributions (set-aside pile and off-topic lines each
one class), with ``auto`` and with the true number of themes; themes found (auto) within ±1 of the labelled
number; off-topic lines set aside (recall) and on-topic lines set aside; moves to agree (the fewest cards a
host moves to reach the labelled grouping, per 100 cards: the set-aside pile stands for the off-topic lines,
themes are matched one-to-one to the labelled themes by an optimal assignment); label overlap (the matched
theme's label shares a content word, by lemma, with the facilitator's title); one-word labels (share of
the draft's labels that say one word); seconds per draft.
"""

# ruff: noqa: E402
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import csv
import datetime as dt
import importlib
import inspect
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.preprocessing import Normalizer

ROOT = Path(__file__).resolve().parents[2]
SESSIONS = Path(__file__).resolve().parent / "sessions"
RESULTS = ROOT / "bench" / "results" / "synthesis-sessions"
SHARED_EXAMPLES = ROOT / ".." / "shared" / "examples"
VARIANTS = ("baseline", "today", "lexical", "embedding", "hybrid", "oracle")


@dataclass(frozen=True)
class Session:
    name: str
    question: str
    language: str
    titles: dict[int, str]
    groups: list[str]
    texts: list[str]
    truth: list[int]  # 0 = does not answer the question

    @property
    def n_themes(self) -> int:
        return len({t for t in self.truth if t > 0})


def read_session(tsv: Path) -> Session:
    meta = json.loads(tsv.with_suffix(".json").read_text(encoding="utf-8"))
    with tsv.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return Session(
        name=tsv.stem,
        question=meta["question"],
        language=meta["language"],
        titles={int(k): v for k, v in meta["themes"].items()},
        groups=[r["group"] for r in rows],
        texts=[r["text"] for r in rows],
        truth=[int(r["theme"]) for r in rows],
    )


def load_sessions(split: str) -> list[Session]:
    folders = {"dev": [SESSIONS / "dev"], "holdout": [SESSIONS / "holdout"]}
    folders["all"] = folders["dev"] + folders["holdout"]
    found = [read_session(p) for folder in folders[split] for p in sorted(folder.glob("*.tsv"))]
    shared = SHARED_EXAMPLES.resolve() / "session-17.tsv"
    if split in ("dev", "all") and shared.exists():
        found.append(read_session(shared))
    return found


# --- what a variant returns: assignments (None = set aside) and a label per theme -------------------------


@dataclass
class Draft:
    assignments: list[int | None]
    labels: dict[int, str]
    seconds: float


Runner = Callable[[Session, int | None], Draft]


def _baseline(session: Session, k: int | None) -> Draft:
    start = time.perf_counter()
    matrix = TfidfVectorizer(ngram_range=(1, 2)).fit_transform(session.texts)
    dims = max(2, min(100, matrix.shape[0] - 1, matrix.shape[1] - 1))
    reduced = Normalizer().fit_transform(TruncatedSVD(dims, random_state=0).fit_transform(matrix))
    if k is None:
        best, best_score = 2, -np.inf
        for candidate in range(2, min(10, len(session.texts) // 3) + 1):
            labels = KMeans(candidate, n_init=10, random_state=0).fit_predict(reduced)
            score = silhouette_score(reduced, labels, metric="cosine")
            if score > best_score:
                best, best_score = candidate, score
        k = best
    labels = KMeans(k, n_init=10, random_state=0).fit_predict(reduced)
    names = TfidfVectorizer(ngram_range=(1, 1)).fit(session.texts)
    vocabulary = names.get_feature_names_out()
    weights = names.transform(session.texts)
    titles = {}
    for c in range(k):
        rows = np.flatnonzero(labels == c)
        top = np.asarray(weights[rows].sum(axis=0)).ravel().argsort()[::-1][:3]
        titles[c] = " · ".join(vocabulary[i] for i in top)
    return Draft([int(x) for x in labels], titles, time.perf_counter() - start)


def _engine_runner(module: Any, backend: str | None, embedder: Any) -> Runner:
    synthesize = module.synthesize
    contribution = module.Contribution
    accepts = set(inspect.signature(synthesize).parameters)

    def run(session: Session, k: int | None) -> Draft:
        kwargs: dict[str, Any] = {"themes": "auto" if k is None else k, "seed": 0}
        if "question" in accepts:
            kwargs["question"] = session.question
        if backend is not None:
            kwargs["backend"] = backend
        if embedder is not None:
            kwargs["embedder"] = embedder
        items = [contribution(t, group=g) for t, g in zip(session.texts, session.groups, strict=True)]
        start = time.perf_counter()
        result = synthesize(items, **kwargs)
        seconds = time.perf_counter() - start
        return Draft(list(result.assignments), {t.id: t.label for t in result.themes}, seconds)

    return run


def _oracle_runner(module: Any) -> Runner:
    """Hybrid labels on the facilitator's own grouping (the board holds the labelled themes and sets aside
    the off-topic lines): how good the labels are when the clusters are right. Only its label overlap means
    anything (its ARI is 1 by construction)."""
    from bench_embedding_cache import cached_default_embedder

    embedder = cached_default_embedder()

    def run(session: Session, k: int | None) -> Draft:
        themes = sorted({t for t in session.truth if t > 0})
        board = module.Board(
            themes=tuple(
                module.HostTheme(str(t), tuple(i for i, x in enumerate(session.truth) if x == t))
                for t in themes
            ),
            set_aside=tuple(i for i, x in enumerate(session.truth) if x == 0),
        )
        items = [module.Contribution(t, group=g) for t, g in zip(session.texts, session.groups, strict=True)]
        start = time.perf_counter()
        result = module.synthesize(
            items, question=session.question, backend="hybrid", embedder=embedder, board=board
        )
        seconds = time.perf_counter() - start
        return Draft(list(result.assignments), {t.id: t.label for t in result.themes}, seconds)

    return run


def runner(variant: str, today_src: str | None) -> Runner:
    if variant == "baseline":
        return _baseline
    if variant == "today":
        if not today_src:
            raise SystemExit("--today-src PATH (a checkout's src of commit 3fefa54) is needed for 'today'")
        for name in [m for m in sys.modules if m == "werkkring" or m.startswith("werkkring.")]:
            del sys.modules[name]
        sys.path.insert(0, today_src)
        module = importlib.import_module("werkkring.engines.synthesis")
        assert str(Path(module.__file__ or "").resolve()).startswith(str(Path(today_src).resolve()))
        return _engine_runner(module, None, None)
    module = importlib.import_module("werkkring.engines.synthesis")
    if variant == "oracle":
        return _oracle_runner(module)
    if variant == "lexical":
        return _engine_runner(module, "lexical", None)
    from bench_embedding_cache import cached_default_embedder  # type: ignore[import-not-found]

    return _engine_runner(module, variant, cached_default_embedder())


# --- measures ----------------------------------------------------------------------------------------------


def content_lemmas(text: str, language: str) -> set[str]:
    from werkkring.engines.text import is_stopword, lemmatize_tokens, tokenize

    tokens = tokenize(text)
    lang = language if language in ("nl", "en") else "mixed"
    return {
        lemma
        for token, lemma in zip(tokens, lemmatize_tokens(tokens, lang), strict=True)  # type: ignore[arg-type]
        if not (is_stopword(token) or is_stopword(lemma))
    }


def content_words(label: str) -> list[str]:
    """The label's words less "and"/"en" and the theme separator: how many words it says."""
    from werkkring.engines.text import tokenize

    return [w for w in tokenize(label) if w not in ("and", "en")]


def measure(session: Session, auto: Draft, fixed: Draft) -> dict[str, Any]:
    truth = session.truth
    n = len(truth)

    def ari(draft: Draft) -> float:
        predicted = [-1 if a is None else a for a in draft.assignments]
        return float(adjusted_rand_score(truth, predicted))

    themes = sorted({a for a in auto.assignments if a is not None})
    true_themes = sorted({t for t in truth if t > 0})
    off = [i for i in range(n) if truth[i] == 0]
    on = [i for i in range(n) if truth[i] > 0]
    aside = {i for i in range(n) if auto.assignments[i] is None}
    overlap = np.zeros((len(themes), len(true_themes)), dtype=np.int64)
    for i in range(n):
        a, t = auto.assignments[i], truth[i]
        if a is not None and t > 0:
            overlap[themes.index(a), true_themes.index(t)] += 1
    rows, cols = linear_sum_assignment(-overlap) if overlap.size else ([], [])
    matched = int(overlap[rows, cols].sum()) + len(aside & set(off))
    label_hits = 0
    for r, c in zip(rows, cols, strict=True):
        if overlap[r, c] == 0:
            continue
        title = content_lemmas(session.titles[true_themes[c]], session.language)
        label = content_lemmas(auto.labels.get(themes[r], ""), session.language)
        label_hits += bool(title & label)
    return {
        "n": n,
        "groups": len(set(session.groups)),
        "true themes": len(true_themes),
        "themes": len(themes),
        "ARI auto": ari(auto),
        "ARI true N": ari(fixed),
        "within 1": abs(len(themes) - len(true_themes)) <= 1,
        "off-topic set aside": (len(aside & set(off)) / len(off)) if off else None,
        "on-topic set aside": len(aside & set(on)) / len(on),
        "moves per 100": 100 * (n - matched) / n,
        "label overlap": label_hits / len(true_themes),
        "seconds": auto.seconds,
        "one-word labels": sum(len(content_words(auto.labels.get(t, ""))) <= 1 for t in themes)
        / max(1, len(themes)),
        "labels": [auto.labels[t] for t in themes],
    }


def evaluate(variant: str, sessions: Sequence[Session], today_src: str | None) -> dict[str, Any]:
    run = runner(variant, today_src)
    per_session = {}
    for session in sessions:
        auto = run(session, None)
        fixed = run(session, session.n_themes)
        per_session[session.name] = measure(session, auto, fixed)
        print(variant, session.name, json.dumps(per_session[session.name], ensure_ascii=False), flush=True)
    return {
        "variant": variant,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load": [round(x, 2) for x in os.getloadavg()],
        "commit": _commit(),
        "sessions": per_session,
    }


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


# --- tables -------------------------------------------------------------------------------------------------

COLUMNS = [
    ("ARI auto", "ARI auto", "{:.2f}"),
    ("ARI true N", "ARI N", "{:.2f}"),
    ("themes", "themes", "{}"),
    ("within 1", "±1", "{}"),
    ("off-topic set aside", "off-topic aside", "{:.0%}"),
    ("on-topic set aside", "on-topic aside", "{:.0%}"),
    ("moves per 100", "moves/100", "{:.0f}"),
    ("label overlap", "label overlap", "{:.0%}"),
    ("one-word labels", "1-word labels", "{:.0%}"),
    ("seconds", "s", "{:.2f}"),
]


def summary(result: dict[str, Any]) -> dict[str, float]:
    rows = list(result["sessions"].values())
    out: dict[str, float] = {}
    for key, _, _ in COLUMNS:
        values = [r[key] for r in rows if r.get(key) is not None]
        if key == "within 1":
            out[key] = sum(bool(v) for v in values)
        elif key == "themes":
            continue
        elif values:
            out[key] = statistics.fmean(float(v) for v in values)
    return out


def render(split_results: dict[str, dict[str, dict[str, Any]]]) -> str:
    lines = [
        "# Theme synthesis on realistic labelled work sessions",
        "",
        "Rerun (the commands that made the rows of this commit):",
        "`.venv/bin/python bench/synthesis/sessions.py --split dev"
        " --variants baseline,lexical,embedding,hybrid,oracle`",
        "and the same with `--split holdout` (about 20 s each once the sentence vectors are cached;",
        "`today` needs `--today-src`, see the script's doc; its rows are from an earlier run, as dated).",
        "Each row says its date, commit and machine load (1-minute load average, shared 2-core machine).",
        "ARI over all contributions (set-aside pile and off-topic lines one class each); ±1 =",
        "themes found with `auto` within one of the labelled number; off-topic aside = share of the lines",
        "that do not answer the question set aside; on-topic aside = share of the others wrongly set aside;",
        "moves/100 = cards a host moves to reach the labelled grouping, per 100 cards; label overlap = the",
        "theme's label shares a content word with the facilitator's title; 1-word labels = share of the",
        "draft's labels that are one word (the labels' quality, no target); s = seconds per draft (auto).",
        "Issue targets on held-back sessions: ARI ≥ 0.30, ±1 in ≥ 10 of 12, off-topic aside ≥ 50 % with",
        "on-topic aside ≤ 5 %, label overlap ≥ 60 %.",
        "",
    ]
    for split, results in split_results.items():
        ordered = [results[v] for v in VARIANTS if v in results]
        if not ordered:
            continue
        n_sessions = len(ordered[0]["sessions"])
        lines += [f"## {split} split: averages over {n_sessions} sessions", ""]
        lines.append("| variant | " + " | ".join(h for _, h, _ in COLUMNS if h != "themes") + " | run |")
        lines.append("|---|" + "---|" * (len(COLUMNS) - 1) + "---|")
        for result in ordered:
            mean = summary(result)
            cells = []
            for key, _, fmt in COLUMNS:
                if key == "themes":
                    continue
                if key not in mean:
                    cells.append("")
                elif key == "within 1":
                    cells.append(f"{int(mean[key])} of {len(result['sessions'])}")
                else:
                    cells.append(fmt.format(mean[key]))
            run = f"{result['date']}, {result['commit']}, load {result['load'][0]}"
            lines.append(f"| {result['variant']} | " + " | ".join(cells) + f" | {run} |")
        lines.append("")
        for result in ordered:
            lines += [f"### {split}: {result['variant']}", ""]
            lines.append("| session | n | groups | labelled | " + " | ".join(h for _, h, _ in COLUMNS) + " |")
            lines.append("|---|---|---|---|" + "---|" * len(COLUMNS))
            for name, row in result["sessions"].items():
                cells = [
                    ""
                    if row.get(key) is None
                    else (fmt.format(row[key]) if key != "within 1" else "✓✗"[not row[key]])
                    for key, _, fmt in COLUMNS
                ]
                lines.append(
                    f"| {name} | {row['n']} | {row['groups']} | {row['true themes']} | "
                    + " | ".join(cells)
                    + " |"
                )
            lines.append("")
        best = next((r for r in ordered if r["variant"] == "hybrid"), None)
        if best is not None:
            lines += [f"### {split}: labels of the `{best['variant']}` draft (auto)", ""]
            for name, row in best["sessions"].items():
                lines.append(f"- {name}: " + "; ".join(f"“{label}”" for label in row["labels"]))
            lines.append("")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--split", choices=["dev", "holdout", "all"], default="dev")
    parser.add_argument("--variants", default="", help=f"comma-separated, from {','.join(VARIANTS)}")
    parser.add_argument("--today-src", default=None, help="src folder of a checkout of commit 3fefa54")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sessions = load_sessions(args.split)
    variants = [v for v in args.variants.split(",") if v] or [
        v for v in VARIANTS if v != "today" or args.today_src
    ]
    for variant in variants:
        if variant not in VARIANTS:
            raise SystemExit(f"unknown variant {variant!r}: choose from {', '.join(VARIANTS)}")
        if variant == "today" and len(variants) > 1:
            # The old engine is imported in place of this one: only in a process of its own.
            command = [sys.executable, __file__, "--split", args.split, "--variants", "today"]
            command += ["--today-src", str(args.today_src)] + (["--no-write"] if args.no_write else [])
            subprocess.run(command, check=True)
            continue
        result = evaluate(variant, sessions, args.today_src)
        mean = summary(result)
        print(variant, json.dumps({k: round(v, 3) for k, v in mean.items()}), flush=True)
        if not args.no_write:
            RESULTS.mkdir(parents=True, exist_ok=True)
            out = RESULTS / f"{args.split}-{variant}.json"
            out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if not args.no_write:
        split_results: dict[str, dict[str, dict[str, Any]]] = {}
        for path in sorted(RESULTS.glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            split_results.setdefault(path.stem.split("-", 1)[0], {})[data["variant"]] = data
        (ROOT / "bench" / "results" / "synthesis-sessions.md").write_text(
            render(split_results), encoding="utf-8"
        )


if __name__ == "__main__":
    main()
