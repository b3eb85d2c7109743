"""Lesson room: attention (lesson 07).

    checks.py       the checks the lesson's test cells call (scores, masked softmax, context, attention, beam search)
    tasks.py        the date-normalisation task (seeded dates in six human formats -> ISO 8601)
    models.py       DateSeq2Seq, an LSTM encoder-decoder with or without additive attention; train (teacher forcing),
                    predict (greedy decoding), accuracy; date_step_fn and beam_predict (beam search)
    experiments.py  alignment_mass (how much attention each output field puts on the same source field);
                    reference_log_prob and decoding_table (greedy against beam search: exact match, CER,
                    search errors against model errors)
    plots.py        the 1/sqrt(d) demo, alignment heat maps, per-position accuracy, training curves
"""
