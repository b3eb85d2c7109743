"""lstmlab: the library of the LSTM course, in three parts. What is where, in lesson order:

1. The textbook: readable numpy references (forward/backward pairs with a cache, CS231n style,
   every shape in the docstring) and the utilities several lessons share. No plots here; torch
   only in bridge, train and timing, whose job it is.

   lesson 01  lstm               the LSTM cell and sequence, forward and backward (loops over the step)
              lstm_fast          the same LSTM tuned for speed (training loops, the benchmark)
   lesson 02  rnn                the vanilla RNN the LSTM fixes;  gradcheck: finite differences
   lesson 03  gru                the GRU in the chapter's, Cho's and PyTorch's conventions
   lesson 04  peephole           the peephole LSTM (diagonal peepholes)
   lesson 05  stacked            stacked, bidirectional and masked LSTM passes
   lesson 06  optim              clipping, L1/L2 penalties, Adam, RMSprop
   lesson 07  attention          additive and dot-product scores, masked softmax, context
              decoding           greedy and beam-search decoding; exact match, character error rate
   lesson 08  language_model     temporal softmax loss, embedding, sampling, perplexity, a char LM
              text               a character vocabulary, encoding and batches of text
   lesson 09  regularisation     locked (variational) dropout, zoneout, the layer-normalised LSTM step
   lesson 10  series, anomaly    forecasting hygiene and error metrics; anomaly scores and thresholds
   lesson 11  interpret          recording gates and states; unit correlations, saturation
   lesson 12  self_attention     causal self-attention;  linear_recurrence: linear attention and minGRU
   shared     bridge             every weight converter: <cell>_from_torch / _to_torch / _as_torch / keras / chapter
              fixtures           seeded inputs and weights;  tasks: the classic small tasks
              train              a small torch training loop;  timing: the one timing loop
              datasets, data/    the small real datasets shipped with the course (with licences)
              i18n, locale/      the course's languages: _() for every message a student reads, its
                                 Chinese catalogs, use_language("zh") (each Chinese lesson's first line)
   checking/                     what every lesson's checks are made of: diagnosis (CheckFailed,
                                 assert_close), guard (the from-scratch rule), harness (call_student)

2. The lesson rooms, lstmlab.lessons.<room>: what only one lesson uses. Every room has checks.py
   and, as needed, tasks.py, models.py (torch), plots.py, experiments.py. A room imports the
   textbook, never another room.

   01 lstm_cell   02 bptt   03 gru   04 peephole   05 deep_bidirectional   06 training_stability
   07 attention   08 language_model   09 regularisation   10 applications   11 looking_inside
   12 beyond_lstm

3. Course tooling, lstmlab.tooling: the `lstmlab` command (build, verify, run, lab, check, grade),
   the nbgrader bridge and the grading pipeline. Student-facing code never imports it.
"""
