"""Lesson room: peephole (lesson 04, the peephole LSTM).

    checks.py       the checks of the lesson's test cells (peephole step, sequence, parameter count)
    tasks.py        the timing tasks: timed_spike (and spike_accuracy, its score), reset_sum
    models.py       PeepholeLSTM (the torch module, with Greff et al.'s switches) and Population (many variants at once, numpy)
    experiments.py  training a Population (train_population, its losses bce_with_logits and mse), by_variant
    plots.py        figures: traces of the hand-built timer, learning curves and final scores per variant
"""
