"""Lesson room: looking_inside (lesson 11: a Dyck-1 LSTM's depth-counting unit, saturation, LSTMVis ideas).

    checks.py    the checks the lesson's test cells call (unit_correlations, tracking_unit, saturation)
    tasks.py     seeded Dyck-1 bracket strings, their nesting depth, and the next-bracket and depth tasks
    models.py    record_torch: a trained torch.nn.LSTM's every gate and state, as a recording
    plots.py     figures: heat maps over the text, one unit against the depth, tuning curves, per-unit
                 correlations, gate saturation, ablation bars
    explorer.py  the ipywidgets explorer of a recording (plain view functions plus the widget); its own
                 name because it is neither a figure nor a model: an interactive view built on both

The recording and the statistics themselves are the textbook module lstmlab.interpret.
"""
