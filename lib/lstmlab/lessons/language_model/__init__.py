"""Lesson room: language_model (lesson 08, solutions/08_language_model.ipynb).

    checks.py       the checks of the exercises (masked temporal softmax loss, embedding forward/backward,
                    temperature sampling, perplexity), against the textbook and torch
    models.py       CharLSTM, the torch twin of the numpy model (nn.Embedding + nn.LSTM + nn.Linear), its
                    weights copied from/to the numpy parameters, and train_torch (clipping + Adam, like train_step)
    experiments.py  the runs the lesson shows: numpy-vs-torch parity, perplexity curves, teacher forcing vs
                    free running, line-length statistics of generated poems
    plots.py        perplexity against steps, accuracy per position under teacher forcing and free running

The numpy references the exercises are checked against are the textbook's lstmlab.language_model;
the character vocabulary and batches are lstmlab.text.
"""
