"""Lesson room: beyond_lstm (lesson 12).

    checks.py       the checks the lesson's test cells call (causal mask, Q/K/V, self-attention, positions)
    tasks.py        associative recall: P (key, value) pairs, then a query for one key's value
    models.py       RecallLSTM, RecallAttention and its CausalSelfAttention layer; parameter_count
    experiments.py  accuracy by number of pairs, forward time vs T, state sizes vs T
    plots.py        recall accuracy, one sequence's attention weights, cost vs sequence length
"""
