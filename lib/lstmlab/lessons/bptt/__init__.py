"""Lesson room: bptt (lesson 02, backprop through time, solutions/02_bptt.ipynb).

    checks.py       the checks of the exercises (finite-difference checker, step and sequence backward) against
                    finite differences, torch autograd and closed forms; the lesson's dict-cache forward pass,
                    the known mistakes and torch_grads
    tasks.py        delayed_recall: the seeded task only a gradient reaching step 0 can teach
    experiments.py  per-step gradient norms of an RNN and an LSTM along chosen routes (rnn_grad_norms,
                    lstm_grad_norms), and with_forget_bias
    plots.py        plot_grad_norms: gradient norms against the time step, on a log scale

The numpy references the exercises are checked against are the textbook's lstmlab.lstm and lstmlab.gradcheck.
"""
