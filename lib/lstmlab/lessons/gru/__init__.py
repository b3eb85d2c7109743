"""Lesson room: gru (lesson 03, the GRU).

    checks.py       the checks of the lesson's test cells (GRU step in both conventions, sequence, parameter count)
    tasks.py        the a^n b^n counting task: seeded training strings and padded test strings
    models.py       the torch taggers for a^n b^n (Tagger, the hand-wired counter_lstm) and their scoring (evaluate)
    plots.py        figures: switch errors and states on a^n b^n, LSTM vs GRU speed
    experiments.py  the LSTM vs GRU timing (compare_lstm_gru)
"""
