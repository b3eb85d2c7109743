"""What the lesson measures on a trained date model (lstmlab.lessons.attention.models).

    alignment_mass      how much attention each output field puts on the same field of the source
    reference_log_prob  log p(reference | source), one teacher-forced pass
    decoding_table      greedy against beam search of width k: exact match, CER, search and model errors
"""
from __future__ import annotations

import numpy as np

from lstmlab.lessons.attention.tasks import TARGET_FIELDS, field_spans


def alignment_mass(weights, data: dict) -> dict[str, tuple[float, float]]:
    """How much attention each output field puts on the same field of the source.

    weights: (N, out_len, T) from predict; data: the lstmlab.lessons.attention.tasks dict it was computed on.
    Returns {"year"|"month"|"day": (mass, uniform)}: mass = mean over examples and over the field's output
    characters of the total weight on the source characters of that field; uniform = the same for weights
    spread evenly over the real characters (what attention that ignores content would give).
    """
    weights = np.asarray(weights)
    out = {}
    for field, (o0, o1) in TARGET_FIELDS.items():
        mass, uniform = [], []
        for k, (date, fmt, src) in enumerate(zip(data["date"], data["format"], data["source"])):
            s0, s1 = field_spans(date, fmt)[field]
            mass.append(weights[k, o0:o1, s0:s1].sum(-1).mean())
            uniform.append((s1 - s0) / len(src))
        out[field] = (float(np.mean(mass)), float(np.mean(uniform)))
    return out


def reference_log_prob(model, data: dict) -> np.ndarray:
    """log p(reference | source) under the model, summed over the output characters: (N,) float64.

    Computed with teacher forcing (the decoder reads the true previous character), which is exactly the
    probability the model gives the whole reference sequence.
    """
    import torch

    with torch.no_grad():
        logits, _ = model(torch.as_tensor(data["X"]), torch.as_tensor(data["mask"]), torch.as_tensor(data["Y"]))
        logp = torch.log_softmax(logits.double(), -1)
        return logp.gather(-1, torch.as_tensor(data["Y"])[..., None])[..., 0].sum(-1).numpy()


def decoding_table(model, data: dict, ks=(1, 2, 4, 8)) -> dict:
    """Greedy (k = 1) and beam search of width k on a data set: exact match, CER, and why the errors happen.

    Returns {k: {"exact", "cer", "search_errors", "model_errors", "pred" (N, out_len), "score" (N,)}}, where an
    error (a wrong output) is a *search error* when the model gives the reference a higher log-probability
    than the output it returned (a better search could have found it) and a *model error* otherwise (the
    model prefers the wrong answer: no search fixes that).
    """
    from lstmlab.decoding import char_error_rate, exact_match
    from lstmlab.lessons.attention.models import beam_predict
    from lstmlab.lessons.attention.tasks import decode_target

    ref_lp = reference_log_prob(model, data)
    out = {}
    for k in ks:
        pred, score = beam_predict(model, data, k)
        hyps = decode_target(pred)
        wrong = np.array([h != r for h, r in zip(hyps, data["target"])])
        out[k] = {"exact": exact_match(hyps, data["target"]), "cer": char_error_rate(hyps, data["target"]),
                  "search_errors": int((wrong & (ref_lp > score)).sum()),
                  "model_errors": int((wrong & (ref_lp <= score)).sum()), "pred": pred, "score": score}
    return out
