"""Lesson room: deep_bidirectional (lesson 05, deep and bidirectional LSTM).

    checks.py  the checks the lesson's test cells call (stacking, a bidirectional layer, reverse_padded,
               a masked layer, dropout between layers, the whole deep bidirectional masked stack),
               each compared with torch.nn.LSTM on a packed batch
    tasks.py   seeded tasks: sign_xor (where depth pays) and look_ahead (which needs the future)
    plots.py   figures: padding leaking without packing, what depth buys, accuracy by position

The numpy reference itself is a textbook module (lstmlab.stacked); its torch bridges are in lstmlab.bridge.
The lesson's small torch tagger is defined in the notebook, where the reader sees it.
"""
