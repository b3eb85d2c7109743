"""Lesson room: regularisation (lesson 09, solutions/09_regularisation.ipynb).

    checks.py       the checks of the exercises (locked dropout, zoneout LSTM step, layer-normalised LSTM step)
    tasks.py        the character task: a slice of Pride and Prejudice, its own small char encoding, batches
    models.py       CharLM (a torch char-LSTM with no regulariser, dropout, locked dropout or zoneout) and the
                    torch layer-normalised LSTM step the LN exercise is checked against
    experiments.py  train_lm (one seeded run, validation loss against steps) and the sweeps of the benchmark
    plots.py        validation curves per regulariser and loss curves per optimiser (mean and spread over seeds)
    measured.json   the full measurement, written by benchmarks/bench_regularisation.py

The numpy references the exercises are checked against are the textbook's lstmlab.regularisation.
"""
