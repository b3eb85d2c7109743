"""What the lesson measures on a trained date model (lstmlab.lessons.attention.models).

    alignment_mass   how much attention each output field puts on the same field of the source
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
