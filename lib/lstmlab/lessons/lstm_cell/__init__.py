"""Lesson room: lstm_cell (lesson 01, solutions/01_lstm_cell.ipynb).

    checks.py   the checks of the exercises (gates, cell update, one step, a sequence, parameter count),
                against lstmlab.lstm and torch.nn.LSTM on copied weights
    plots.py    plot_gates: heat maps of gate activations over one sequence (the latch task)

The numpy reference the exercises are checked against is the textbook's lstmlab.lstm.
"""
