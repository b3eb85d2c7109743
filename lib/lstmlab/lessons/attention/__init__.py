"""Lesson room: attention (lesson 07).

    checks.py       the checks the lesson's test cells call (scores, masked softmax, context, attention)
    tasks.py        the date-normalisation task (seeded dates in six human formats -> ISO 8601)
    models.py       DateSeq2Seq, an LSTM encoder-decoder with or without additive attention; train, predict, accuracy
    experiments.py  alignment_mass: how much attention each output field puts on the same source field
    plots.py        the 1/sqrt(d) demo, alignment heat maps, per-position accuracy, training curves
"""
