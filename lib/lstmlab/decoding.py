"""Decoding a sequence model: greedy decoding, beam search, and two metrics (exact match, character error rate).

A decoder writes its output one token at a time. How it is *trained* and how it is *used* differ:

    teacher forcing   in training, step t reads the true previous token y_{t-1} (the model never sees
                      its own mistakes; every step's loss is computed in one pass)
    greedy decoding   at test time, step t reads the model's own previous choice, the single most likely
                      token argmax_v p(v | prefix): one hypothesis, no way back from an early mistake
    beam search       keeps the k best partial hypotheses (prefixes) by summed log-probability and extends
                      each by every token; k = 1 is greedy decoding, k large enough is exhaustive search

The model is reached only through a step function, so one search serves every model:

    step_fn(tokens, states) -> (log_probs, new_states)
        tokens      (N,) int64      the last token of each of N hypotheses (bos at the first step)
        states      list of N       one state per hypothesis, whatever the model needs (an (h, c) pair,
                                    the prefix itself); the search never looks inside a state, it only
                                    picks entries: [new_states[i] for i in chosen]
        log_probs   (N, V) float    log p(next token = v | hypothesis i)
        new_states  list of N       the states after reading `tokens`

Beam search here (the "shrinking beam" of, e.g., Graves 2012 and d2l.ai, stated completely so that its
answer is unique):

    alive    = [([], 0.0, start_state)]          tokens so far (bos not included), summed log-prob, state
    finished = []
    for step in range(max_len):                 max_len = the most tokens a hypothesis may hold, EOS included
        log_probs, new_states = step_fn(last tokens of alive, states of alive)
        candidate (i, v) scores  score_i + log_probs[i, v]   over ALL alive i and ALL tokens v (N * V)
        keep the best  k - len(finished)  candidates (fewer if there are fewer)
        a kept candidate ending in eos goes to `finished` and is never extended; the others stay alive
        stop when no hypothesis is alive (then k are finished)
    hypotheses still alive after max_len steps are finished as they are (truncated)
    return the finished ones, best first, at most k

- Scores are sums of log-probabilities, never products of probabilities: a product of a few hundred
  probabilities underflows to 0.0 in float64 and every hypothesis then ties.
- Ties are broken in a fixed order: among equal scores the candidate of the better-ranked hypothesis
  wins, then the smaller token id (a stable sort of the flattened (N, V) candidates by descending
  score); so k = 1 is exactly greedy decoding with np.argmax's first-maximum rule. In the final ranking
  equal scores keep the order in which hypotheses finished.
- Length: by default (length_penalty alpha = 0) finished hypotheses are ranked by their summed
  log-probability, which favours short ones (every token adds a negative term). With alpha > 0 they are
  ranked by  log P(Y) / lp(Y),  lp(Y) = ((5 + |Y|) / (5 + 1)) ** alpha  (Wu et al. 2016, "Google's neural
  machine translation system", eq. 14, without its coverage term), |Y| = the number of tokens, EOS
  included. The returned score is that ranking score. Candidates compared during the search all have
  the same length, so the penalty changes only the final ranking.
- eos = None: the model has no end token (e.g. fixed-length outputs); every hypothesis runs max_len tokens.

Metrics, for outputs written as strings (or any sequences):

    exact_match(hyps, refs)        fraction of outputs equal to their reference
    edit_distance(a, b)            Levenshtein distance: fewest insertions, deletions and substitutions
    char_error_rate(hyps, refs)    sum of edit distances / sum of reference lengths (corpus-level CER,
                                   as speech and OCR report it; 0 is perfect, it can exceed 1)
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from .i18n import _

StepFn = Callable[[np.ndarray, list], tuple]


def length_penalty(length: int, alpha: float) -> float:
    """Wu et al. (2016)'s length penalty lp = ((5 + length) / 6) ** alpha; alpha = 0 gives 1."""
    return ((5.0 + length) / 6.0) ** alpha


def _step(step_fn: StepFn, tokens: Sequence[int], states: list) -> tuple[np.ndarray, list]:
    """Call the model on N hypotheses; returns log_probs (N, V) float64 and the N new states as a list."""
    log_probs, new_states = step_fn(np.asarray(tokens, dtype=np.int64), list(states))
    log_probs = np.asarray(log_probs, dtype=np.float64)
    if log_probs.ndim != 2 or log_probs.shape[0] != len(tokens):
        raise ValueError(_("step_fn returned log_probs of shape {shape}, expected ({n}, V)").format(
            shape=log_probs.shape, n=len(tokens)))
    return log_probs, list(new_states)


def greedy_decode(step_fn: StepFn, start_state, bos: int, eos: int | None, max_len: int) -> tuple[list[int], float]:
    """The most likely next token at every step, until eos or max_len tokens.

    step_fn: see the module docstring; start_state: the state before the first token; bos: the first
    input token; eos: the end token (None: no end token); max_len: the most tokens generated, eos included.
    Returns (tokens, score): tokens a list of ints (bos excluded, eos included when reached), score the
    summed log-probability (float).
    """
    tokens, score, state, last = [], 0.0, start_state, bos
    for _t in range(max_len):
        log_probs, (state,) = _step(step_fn, [last], [state])
        last = int(np.argmax(log_probs[0]))          # first maximum on ties
        tokens.append(last)
        score += float(log_probs[0, last])
        if last == eos:
            break
    return tokens, score


def beam_search(step_fn: StepFn, start_state, bos: int, eos: int | None, k: int, max_len: int,
                length_penalty: float = 0.0) -> list[tuple[list[int], float]]:
    """Beam search with beam width k (see the module docstring for the exact algorithm and its rules).

    step_fn(tokens (N,) int64, states list of N) -> (log_probs (N, V), new_states list of N)
    start_state: the state before the first token; bos: the first input token;
    eos: the end token (None: none, every hypothesis runs max_len tokens);
    k: beam width (k = 1 is greedy decoding); max_len: the most tokens a hypothesis holds, eos included;
    length_penalty: alpha of Wu et al. (2016); 0 ranks finished hypotheses by summed log-probability.
    Returns at most k (tokens, score) pairs, best first: tokens a list of ints (bos excluded, eos included
    when the hypothesis finished), score its summed log-probability divided by lp(len(tokens)).
    """
    alpha = length_penalty
    alive = [([], 0.0, start_state)]                       # (tokens, summed log-prob, state), best first
    finished: list[tuple[list[int], float]] = []           # (tokens, summed log-prob), in finishing order
    for _t in range(max_len):
        last = [toks[-1] if toks else bos for toks, _, _ in alive]
        log_probs, new_states = _step(step_fn, last, [state for _, _, state in alive])
        total = np.array([score for _, score, _ in alive])[:, None] + log_probs      # (N, V)
        V = total.shape[1]
        order = np.argsort(-total.ravel(), kind="stable")[:k - len(finished)]     # over all N x V candidates
        next_alive = []
        for flat in order:
            i, v = divmod(int(flat), V)
            toks = alive[i][0] + [v]
            if v == eos:
                finished.append((toks, float(total[i, v])))                      # kept aside, never extended
            else:
                next_alive.append((toks, float(total[i, v]), new_states[i]))
        alive = next_alive
        if not alive:
            break
    finished += [(toks, score) for toks, score, _ in alive]                       # truncated at max_len
    ranked = [(toks, score / _lp(len(toks), alpha)) for toks, score in finished]
    ranked.sort(key=lambda hyp: -hyp[1])                                          # stable: ties keep their order
    return ranked[:k]


_lp = length_penalty   # the function's name is taken by beam_search's argument


def edit_distance(a: Sequence, b: Sequence) -> int:
    """Levenshtein distance between two sequences (strings, lists): the fewest single-item insertions,
    deletions and substitutions that turn a into b. Dynamic programming, O(len(a) * len(b))."""
    previous = list(range(len(b) + 1))                     # distances from a[:0] to every b[:j]
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1,            # delete x
                               current[j - 1] + 1,         # insert y
                               previous[j - 1] + (x != y)))  # substitute (free when equal)
        previous = current
    return previous[-1]


def exact_match(hyps: Sequence[Sequence], refs: Sequence[Sequence]) -> float:
    """Fraction of hypotheses equal to their reference (N hypotheses, N references)."""
    if len(hyps) != len(refs):
        raise ValueError(_("{hyps} hypotheses for {refs} references").format(hyps=len(hyps), refs=len(refs)))
    if not refs:
        raise ValueError(_("no references"))
    return float(np.mean([list(h) == list(r) for h, r in zip(hyps, refs)]))


def char_error_rate(hyps: Sequence[Sequence], refs: Sequence[Sequence]) -> float:
    """Corpus-level character error rate: sum of edit distances / sum of reference lengths."""
    if len(hyps) != len(refs):
        raise ValueError(_("{hyps} hypotheses for {refs} references").format(hyps=len(hyps), refs=len(refs)))
    total = sum(len(r) for r in refs)
    if total == 0:
        raise ValueError(_("the references are empty"))
    return sum(edit_distance(h, r) for h, r in zip(hyps, refs)) / total
