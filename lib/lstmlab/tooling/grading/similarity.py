"""Answers that look alike: every pair of students, per exercise and per lesson, and each answer against
the published reference solution. Evidence for a person to read, never a penalty.

Method (MOSS's, through the copydetect package):

1. Each answer cell is tokenised and normalised by copydetect (`copydetect.utils.filter_code`, with
   Pygments' Python lexer): every identifier becomes V, every function name F, every string S; comments
   and white space are dropped. Renaming variables, editing comments or re-indenting changes nothing.
2. The normalised text is cut into k-grams (K characters of it, about a dozen tokens), each hashed with a
   stable hash (blake2b, so a report is the same from one run to the next; copydetect's own uses Python's
   salted hash()), and winnowed (`copydetect.utils.winnow`, window W): any shared run of at least
   K + W - 1 normalised characters shares a fingerprint.
3. Fingerprints of the lesson's given code (the student version's answer cell: signature, docstring,
   `raise NotImplementedError()`) are boilerplate and dropped.
4. Rarity: a fingerprint held by df of the N answers of an exercise (the reference counts as one) weighs
   ``rarity(df, N) = (log((N-1)/(df-1)) / log(N-1))**2``: 1 when only the two compared answers share it,
   under 0.05 when half of the class does, 0 when all do. Code everybody writes the same way (a one-line
   parameter count) therefore counts for almost nothing, however long it is.
5. For a pair, ``shared`` is the summed weight of the fingerprints both answers hold (in fingerprints of
   code nobody else wrote: the amount of *unusual* shared code), and ``similarity`` is shared divided by
   the smaller of the two answers' own summed weights (a fingerprint only one answer holds weighs 1; the
   divisor is at least 1, so two answers of nothing but common code are not "100% alike").
   Per lesson both sum over its exercises.
6. A pair is listed when, for the lesson or for one exercise, shared >= MIN_SHARED and
   similarity >= THRESHOLD; listed pairs are ranked by shared. Each answer is compared with the reference
   the same way.
"""
from __future__ import annotations

import hashlib
import math
import re
import time
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REFERENCE = "(reference solution)"
K = 12                 # k-gram length, in characters of normalised code (copydetect's noise threshold)
W = 6                  # winnowing window: a shared run of K + W - 1 = 17 normalised characters is always seen
THRESHOLD = 0.6        # similarity at which a pair is listed ...
MIN_SHARED = 10.0      # ... if it also shares at least this much unusual code (in fingerprints: 2 lines or so)
HIGHLIGHT = 0.1        # shared fingerprints at least this rare are highlighted in the side-by-side view
MAX_PAIRS = 25         # listed pairs per lesson (the most similar)
MIN_WEIGHT = 0.01      # lighter fingerprints (held by most of a class) are not summed into pairs
_MARKERS = re.compile(r"^\s*###\s*(BEGIN|END) SOLUTION\s*$\n?", re.MULTILINE)


def rarity(df: int, n: int) -> float:
    """The weight of a fingerprint that df of n answers hold (see the module's docstring)."""
    if df <= 2 or n <= 2:
        return 1.0
    if df >= n:
        return 0.0
    x = math.log((n - 1) / (df - 1)) / math.log(n - 1)
    return x * x


def _stable_hashes(text: str, k: int) -> np.ndarray:
    grams = [text[i:i + k] for i in range(len(text) - k + 1)]
    return np.array([int.from_bytes(hashlib.blake2b(g.encode("utf-8", "surrogatepass"), digest_size=8).digest(),
                                    "little", signed=True) for g in grams], dtype=np.int64)


@dataclass
class Fingerprints:
    """One answer, tokenised, normalised and winnowed."""

    code: str
    filtered: str = ""
    offsets: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), dtype=int))
    positions: dict[int, list[int]] = field(default_factory=dict)   # fingerprint -> where in `filtered`

    @property
    def hashes(self) -> set[int]:
        return set(self.positions)


def without_docstrings(code: str) -> str:
    """The code with every docstring (a string that is a statement of its own) blanked out, same length:
    a docstring is prose, and the given code's is in every answer."""
    import io
    import tokenize

    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return code
    starts = [0]
    for line in code.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    skip = {tokenize.NL, tokenize.COMMENT}
    significant = [t for t in tokens if t.type not in skip]
    out = list(code)
    for k, tok in enumerate(significant):
        before = significant[k - 1].type if k else None
        after = significant[k + 1].type if k + 1 < len(significant) else tokenize.ENDMARKER
        if (tok.type == tokenize.STRING and before in (None, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)
                and after in (tokenize.NEWLINE, tokenize.ENDMARKER)):
            a = starts[tok.start[0] - 1] + tok.start[1]
            b = starts[tok.end[0] - 1] + tok.end[1]
            for i in range(a, b):
                if out[i] != "\n":
                    out[i] = " "
    return "".join(out)


def normalised(code: str) -> tuple[str, np.ndarray]:
    """copydetect's tokenised and normalised code (docstrings left out), and its offsets back into the
    raw code."""
    from copydetect.utils import filter_code

    filtered, offsets = filter_code(without_docstrings(code), "answer.py", language="python")
    return filtered, (np.asarray(offsets, dtype=int) if len(offsets) else np.zeros((0, 2), dtype=int))


def all_kgrams(code: str, k: int = K) -> set[int]:
    """Every k-gram hash of the normalised code (for boilerplate: nothing of it may count)."""
    filtered, _ = normalised(code)
    return set(_stable_hashes(filtered, k).tolist())


def fingerprint(code: str, boilerplate: set[int] = frozenset(), k: int = K, w: int = W) -> Fingerprints:
    from copydetect.utils import winnow

    filtered, offsets = normalised(code)
    fp = Fingerprints(code, filtered, offsets)
    hashes = _stable_hashes(filtered, k)
    if len(hashes) == 0:
        return fp
    selected, idx = winnow(hashes, w, remove_duplicates=False)
    for h, i in zip(selected.tolist(), np.asarray(idx).tolist()):
        if h not in boilerplate:
            fp.positions.setdefault(h, []).append(int(i))
    return fp


def _raw_slices(fp: Fingerprints, hashes: set[int], k: int) -> list[tuple[int, int]]:
    """Where the given fingerprints lie in the raw code (copydetect's get_copied_slices and its offsets)."""
    from copydetect.utils import get_copied_slices

    idx = [i for h in hashes for i in fp.positions.get(h, [])]
    if not idx:
        return []
    slices = np.array(get_copied_slices(np.array(idx), k), dtype=int)
    if len(fp.offsets):
        slices = slices + fp.offsets[:, 1][np.clip(np.searchsorted(fp.offsets[:, 0], slices), 0, len(fp.offsets) - 1)]
    out = []
    for start, end in sorted(zip(slices[0].tolist(), slices[1].tolist())):
        start, end = max(0, start), min(len(fp.code), end)
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        elif end > start:
            out.append((start, end))
    return out


def _coverage(fp: Fingerprints, hashes: set[int], k: int) -> float:
    """The share of the normalised answer that the given fingerprints cover (copydetect's overlap)."""
    from copydetect.utils import get_copied_slices

    idx = [i for h in hashes for i in fp.positions.get(h, [])]
    if not idx or not fp.filtered:
        return 0.0
    s = get_copied_slices(np.array(idx), k)
    covered = np.zeros(len(fp.filtered), dtype=bool)
    for a, b in zip(s[0].astype(int), s[1].astype(int)):
        covered[a:b] = True
    return float(covered.mean())


def segments(code: str, marked: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """The code cut into (text, highlighted) pieces, for a template to escape and mark up."""
    out, at = [], 0
    for start, end in marked:
        if start > at:
            out.append((code[at:start], False))
        out.append((code[start:end], True))
        at = end
    if at < len(code):
        out.append((code[at:], False))
    return out


@dataclass
class ExercisePair:
    exercise: str
    shared: float                 # unusual shared code, in fingerprints
    similarity: float             # shared / the smaller answer's own weight
    overlap: tuple[float, float]  # share of each normalised answer covered by any shared fingerprint
    code: tuple[list, list]       # segments() of both answers, unusual shared code highlighted


@dataclass
class Pair:
    lesson: str
    a: str
    b: str                       # a student, or REFERENCE
    shared: float
    similarity: float
    exercises: list[ExercisePair] = field(default_factory=list)


@dataclass
class LessonSimilarity:
    lesson: str
    students: int
    pairs: list[Pair]             # listed pairs of students, most unusual shared code first
    reference: list[Pair]         # students listed for their similarity to the reference
    compared: int                 # pairs of students compared
    closest_unlisted: float       # the most unusual shared code of a pair that was not listed (fingerprints)
    seconds: float = 0.0
    threshold: float = THRESHOLD
    min_shared: float = MIN_SHARED


def strip_markers(source: str) -> str:
    """A solution cell without nbgrader's ### BEGIN / END SOLUTION lines."""
    return _MARKERS.sub("", source)


def given_code(reference: str) -> str:
    """The student version of a solution cell, as nbgrader makes it: the marked region becomes the stub."""
    if "BEGIN SOLUTION" not in reference:
        return "# YOUR CODE HERE\nraise NotImplementedError()"
    out, inside = [], False
    for line in reference.splitlines():
        if re.match(r"^\s*###\s*BEGIN SOLUTION", line):
            inside = True
            indent = line[:len(line) - len(line.lstrip())]
            out += [f"{indent}# YOUR CODE HERE", f"{indent}raise NotImplementedError()"]
        elif re.match(r"^\s*###\s*END SOLUTION", line):
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


def lesson_similarity(lesson: str, exercises: list[tuple[str, str]], answers: dict[str, dict[str, str]],
                      reference: dict[str, str], given: dict[str, str], threshold: float = THRESHOLD,
                      min_shared: float = MIN_SHARED, k: int = K, w: int = W,
                      max_pairs: int | None = MAX_PAIRS) -> LessonSimilarity:
    """Compare the answers of one lesson.

    exercises: (test_id, solution_id) in notebook order; answers: student -> solution_id -> code;
    reference and given: solution_id -> the reference answer and the student version's cell.
    """
    start = time.monotonic()
    students = sorted(answers)
    shared: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    own: dict[str, dict[str, float]] = defaultdict(dict)
    prints: dict[str, dict[str, Fingerprints]] = {}
    weights: dict[str, dict[int, float]] = {}
    for test_id, sid in exercises:
        boiler = all_kgrams(given.get(sid, ""), k)
        docs = {s: fingerprint(answers[s][sid], boiler, k, w) for s in students if answers[s].get(sid, "").strip()}
        if reference.get(sid):
            docs[REFERENCE] = fingerprint(strip_markers(reference[sid]), boiler, k, w)
        docs = {o: d for o, d in docs.items() if d.positions}
        prints[test_id] = docs
        holders: dict[int, list[str]] = defaultdict(list)
        for owner, d in docs.items():
            for h in d.positions:
                holders[h].append(owner)
        n = len(docs)
        wt = {h: rarity(len(hs), n) for h, hs in holders.items()}
        weights[test_id] = wt
        for owner, d in docs.items():
            own[owner][test_id] = sum(wt[h] for h in d.positions)
        for h, hs in holders.items():
            if len(hs) < 2 or wt[h] < MIN_WEIGHT:   # (a large class's common code: O(df²) pairs for nothing)
                continue
            hs = sorted(hs)
            for i, a in enumerate(hs):
                for b in hs[i + 1:]:
                    shared[(a, b)][test_id] = shared[(a, b)].get(test_id, 0.0) + wt[h]

    def build(a: str, b: str) -> Pair | _Unlisted:
        per = shared.get((a, b)) or shared.get((b, a)) or {}
        total = sum(per.values())
        # (at least one fingerprint below the fraction: two answers of nothing but common code are not "100% alike")
        base = max(1.0, min(sum(own[a].values()), sum(own[b].values())))
        sim = total / base
        listed = total >= min_shared and sim >= threshold
        details = []
        for test_id, _ in exercises:
            m = per.get(test_id, 0.0)
            if m <= 0:
                continue
            sim_e = m / max(1.0, min(own[a].get(test_id, 0.0), own[b].get(test_id, 0.0)))
            listed = listed or (m >= min_shared and sim_e >= threshold)
            details.append((test_id, m, sim_e))
        if not listed:
            return _Unlisted(total)
        pair = Pair(lesson, a, b, round(total, 2), round(sim, 3))
        for test_id, m, sim_e in sorted(details, key=lambda t: -t[1]):
            da, db = prints[test_id][a], prints[test_id][b]
            common = da.hashes & db.hashes
            rare = {h for h in common if weights[test_id][h] >= HIGHLIGHT}
            pair.exercises.append(ExercisePair(
                test_id, round(m, 2), round(min(sim_e, 1.0), 3),
                (round(_coverage(da, common, k), 3), round(_coverage(db, common, k), 3)),
                (segments(da.code, _raw_slices(da, rare, k)), segments(db.code, _raw_slices(db, rare, k)))))
        return pair

    pairs, refs, unlisted, compared = [], [], 0.0, 0
    for i, a in enumerate(students):
        for b in students[i + 1:]:
            compared += 1
            if (a, b) not in shared:
                continue
            got = build(a, b)
            if isinstance(got, _Unlisted):
                unlisted = max(unlisted, got.shared)
            else:
                pairs.append(got)
        if any(REFERENCE in d for d in prints.values()):
            got = build(a, REFERENCE) if ((a, REFERENCE) in shared or (REFERENCE, a) in shared) else None
            if got is not None and not isinstance(got, _Unlisted):
                refs.append(got)
    pairs.sort(key=lambda p: (-p.shared, -p.similarity, p.a, p.b))
    refs.sort(key=lambda p: (-p.shared, -p.similarity, p.a))
    return LessonSimilarity(lesson, len(students), pairs[:max_pairs], refs[:max_pairs], compared, round(unlisted, 2),
                            round(time.monotonic() - start, 3), threshold, min_shared)


@dataclass
class _Unlisted:
    shared: float


# --- reading the answers of a graded class ---------------------------------------------------------

def read_answers(intake, specs: dict, source: Path | None = None) -> tuple[dict, list[str]]:
    """(answers, problems): answers[(student, lesson)] = {solution_id: code} for every submission whose
    file still has the bytes that were graded (its hash is checked); a zip's entries are read from the
    zip again (its unpacked copy is gone after grading). problems says which could not be read."""
    from .batch import FILE_LIMIT, read_capped
    from .notebook import read_submission

    answers, problems = {}, []
    zipped = source is not None and Path(source).is_file() and zipfile.is_zipfile(source)
    entries: dict[tuple[str, ...], list[zipfile.ZipInfo]] = defaultdict(list)
    zf = zipfile.ZipFile(source) if zipped else None
    try:
        if zf is not None:
            for info in zf.infolist():
                parts = tuple(p for p in info.filename.replace("\\", "/").split("/") if p not in ("", "."))
                if parts and not info.is_dir():
                    entries[parts].append(info)
        for sub in getattr(intake, "submissions", []):
            raw = None
            try:
                raw = read_capped(sub.path)
            except (OSError, ValueError):
                if zf is not None and "extracted" in sub.path.parts:
                    cut = len(sub.path.parts) - 1 - sub.path.parts[::-1].index("extracted")
                    found = entries.get(tuple(sub.path.parts[cut + 1:]), [])
                    if len(found) == 1 and found[0].file_size <= FILE_LIMIT:
                        raw = zf.read(found[0])
            if raw is None or (sub.sha and hashlib.sha256(raw).hexdigest() != sub.sha):
                problems.append(f"{sub.student}/{sub.lesson}: the graded file is gone or has changed since; "
                                "its answers were not compared")
                continue
            answers[(sub.student, sub.lesson)] = dict(read_submission(specs[sub.lesson], raw).code)
    finally:
        if zf is not None:
            zf.close()
    return answers, problems


def class_similarity(answers: dict, specs: dict, given: dict[str, dict[str, str]] | None = None,
                     threshold: float = THRESHOLD, min_shared: float = MIN_SHARED,
                     max_pairs: int | None = MAX_PAIRS) -> dict[str, LessonSimilarity]:
    """lesson -> its LessonSimilarity. given[lesson][solution_id] is the student version's cell (default:
    derived from the reference, as nbgrader derives it)."""
    by_lesson: dict[str, dict[str, dict[str, str]]] = defaultdict(dict)
    for (student, lesson), code in answers.items():
        by_lesson[lesson][student] = code
    out = {}
    for lesson in sorted(by_lesson):
        spec = specs[lesson]
        reference = {s.solution_id: s.source for s in spec.steps if s.kind == "answer"}
        given_l = dict((given or {}).get(lesson) or {})
        for sid, src in reference.items():
            given_l.setdefault(sid, given_code(src))
        exercises = [(e.test_id, e.solution_id) for e in spec.exercises]
        out[lesson] = lesson_similarity(lesson, exercises, by_lesson[lesson], reference, given_l, threshold, min_shared,
                                        max_pairs=max_pairs)
    return out


def given_cells(lessons_dir: Path, lesson_ids) -> dict[str, dict[str, str]]:
    """The answer cells of the student versions (lessons/<id>.ipynb), where they exist."""
    import nbformat

    from .notebook import nbgrader_meta

    out = {}
    for lid in lesson_ids:
        path = Path(lessons_dir) / f"{lid}.ipynb"
        if path.is_file():
            nb = nbformat.read(path, as_version=4)
            out[lid] = {nbgrader_meta(c)["grade_id"]: c.source for c in nb.cells
                        if c.cell_type == "code" and nbgrader_meta(c).get("solution")}
    return out
