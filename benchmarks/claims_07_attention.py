"""Lesson 07's claim about longer training of the model without attention, reproduced.

The lesson trains both date models for 200 steps and says that, given more training, the model without
attention closes most of the gap. This script trains the model without attention exactly as the lesson
does (same data, seeds, sizes, optimiser), once for 300 and once for 400 steps, and prints its held-out
exact match (greedy decoding), overall and per input format, beside the 200-step figure the notebook shows.

    .venv/bin/python benchmarks/claims_07_attention.py        # 900 training steps of the small model in all

Recorded in benchmarks/README.md, section "Lesson 07 (claims)".
"""
from __future__ import annotations

import torch

from lstmlab.lessons.attention.models import DateSeq2Seq, accuracy, predict, train
from lstmlab.lessons.attention.tasks import FORMATS, make_dates


def main() -> None:
    torch.set_num_threads(1)   # as in the notebook: one thread, deterministic
    train_set = make_dates(6000, seed=0)
    test_set = make_dates(1000, seed=1, exclude=train_set["date"])
    print(f"{'steps':>5} | {'exact':>5} | " + " | ".join(f"{fmt:>13}" for fmt in FORMATS))
    for steps in (200, 300, 400):
        torch.manual_seed(0)
        model = DateSeq2Seq(emb=16, hidden=32, attention=False)
        train(model, train_set, steps=steps, batch_size=64, lr=1e-2, seed=0, desc=f"{steps} steps")
        result = accuracy(predict(model, test_set)[0], test_set)
        print(f"{steps:5d} | {result['exact']:5.3f} | "
              + " | ".join(f"{result['by_format'][fmt]:13.3f}" for fmt in FORMATS), flush=True)


if __name__ == "__main__":
    main()
