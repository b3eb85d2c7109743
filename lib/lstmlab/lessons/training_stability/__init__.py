"""Lesson room: training_stability (lesson 06, solutions/06_training_stability.ipynb).

    checks.py       the checks of the exercises (global norm, clipping, L1/L2, Adam, RMSprop), against torch
    tasks.py        echo: the seeded delayed-recall task of the truncated-BPTT section
    models.py       EchoLSTM, its truncated-BPTT training loop (train_truncated) and echo_accuracy
    experiments.py  the one-unit RNN cliff (cliff_forward/backward/loss, along_line) and gradient_reach
    plots.py        the cliff, clipping directions, step sizes around a spike, truncation, gradient norms

The numpy references the exercises are checked against are the textbook's lstmlab.optim.
"""
