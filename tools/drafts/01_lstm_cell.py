# %% [markdown]
# Lesson 01 — The LSTM cell

In this lesson you build a long short-term memory (LSTM) cell from its equations, in numpy, and prove it is the same
cell that PyTorch and Keras run. By the end you will have written:

1. `lstm_gates` — the four gate activations of one step,
2. `lstm_cell_update` — the new cell state and hidden state,
3. `lstm_step` — one full step,
4. `lstm_forward` — a whole sequence,
5. `lstm_param_count` — how many numbers an LSTM layer learns.

Each exercise is followed by a test cell. Run it: when something is wrong it tells you *what* ("your forget gate
ignores x_t"), not only that something is. More tests are held back for grading, so make your code correct, not just
green.

Source: chapter 4 *LSTM 的变种与改进* (§2.1, §4.1, §5.1, §7). Where the chapter is imprecise or dated, the boxes marked
**Correction** say so and why.

# %%
import os

os.environ.setdefault("KERAS_BACKEND", "torch")  # Keras 3 runs on PyTorch here (see §5.1 below)

import matplotlib.pyplot as plt
import numpy as np
import torch

from lstmlab.checks import lstm_cell as check
from lstmlab.fixtures import lstm_inputs, lstm_params
from lstmlab.lstm import sigmoid

np.set_printoptions(precision=4, suppress=True)
torch.manual_seed(0)
print("numpy", np.__version__, "| torch", torch.__version__)

# %% [markdown]
## 1. The equations, and the layout we store them in

The chapter (§4.1) writes the LSTM as six equations, with $[h_{t-1}, x_t]$ the concatenation of the previous hidden
state and the current input, $\sigma$ the logistic sigmoid and $*$ the element-wise product:

| | chapter §4.1 | what it does |
|---|---|---|
| forget gate | $f_t = \sigma(W_f \cdot [h_{t-1}, x_t] + b_f)$ | how much of each cell-state unit to keep |
| input gate | $i_t = \sigma(W_i \cdot [h_{t-1}, x_t] + b_i)$ | how much of the candidate to write |
| candidate | $\tilde{C}_t = \tanh(W_C \cdot [h_{t-1}, x_t] + b_C)$ | what could be written, in $(-1, 1)$ |
| cell state | $C_t = f_t * C_{t-1} + i_t * \tilde{C}_t$ | the memory: kept part plus written part |
| output gate | $o_t = \sigma(W_o \cdot [h_{t-1}, x_t] + b_o)$ | how much of the memory to show |
| hidden state | $h_t = o_t * \tanh(C_t)$ | the output of the step |

**Correction / precision.** The chapter uses $\cdot$ for a matrix product and $*$ for an element-wise
(Hadamard) product without saying so; many texts write $\odot$ for the latter. It also calls this simply "the LSTM".
The 1997 LSTM of Hochreiter & Schmidhuber had **no forget gate**: Gers, Schmidhuber & Cummins added it in 2000, and
the version above (forget gate, no peepholes) is what Greff et al. (2017) call the *vanilla LSTM* and what every
framework implements. Peepholes come in lesson 04.

**Our layout.** Each $W_k$ above is an $H \times (H+D)$ matrix acting on $[h_{t-1}, x_t]$. Frameworks split it into
an input part and a recurrent part and stack the four gates side by side, so that one step is one or two matrix
products. This course uses batch-first arrays and

| name | shape | meaning |
|---|---|---|
| `x` | (B, D) | inputs of a batch of B sequences at step t |
| `h_prev`, `c_prev` | (B, H) | previous hidden and cell state |
| `Wx` | (D, 4H) | input weights, column blocks in gate order **i, f, g, o** |
| `Wh` | (H, 4H) | recurrent weights, same block order |
| `b` | (4H,) | biases, same block order |

We call the candidate $\tilde{C}_t$ **g** (PyTorch's name). Block `k` of the 4H columns is `k*H:(k+1)*H`.
`lstmlab.bridge.to_chapter` converts our layout into the chapter's per-gate $W_f, W_i, W_C, W_o$ and back; here is
one step computed both ways:

# %%
from lstmlab.bridge import from_chapter, to_chapter

D, H = 3, 2
params = lstm_params(D, H, seed=0)
chapter = to_chapter(params)
print({name: W.shape for name, W in chapter.items()})

x, h_prev, c_prev = lstm_inputs(1, 1, D, H, seed=1)
x = x[:, 0]
hx = np.concatenate([h_prev, x], axis=1)               # [h_{t-1}, x_t], h first as in the chapter
f_chapter = sigmoid(hx @ chapter["W_f"].T + chapter["b_f"])
f_ours = sigmoid(x @ params.Wx[:, H:2 * H] + h_prev @ params.Wh[:, H:2 * H] + params.b[H:2 * H])
print("forget gate, chapter form:", f_chapter, "\nforget gate, our layout:  ", f_ours)
print("round trip exact:", all(np.array_equal(a, b) for a, b in zip(params, from_chapter(chapter))))

# %% [markdown]
## 2. Exercise — the gates

Write `lstm_gates(x, h_prev, Wx, Wh, b)` returning the four activated gates `(i, f, g, o)`, each of shape (B, H):
compute the pre-activations $a = x W_x + h_{t-1} W_h + b$ of shape (B, 4H) once, cut them into the four blocks,
and apply the sigmoid to i, f, o and tanh to g. Use the provided `sigmoid` (it never overflows) and `np.tanh`.
Do not modify the inputs.

# %% [solution] id=lstm_gates
def lstm_gates(x, h_prev, Wx, Wh, b):
    """Gate activations of one LSTM step.

    x (B, D), h_prev (B, H), Wx (D, 4H), Wh (H, 4H), b (4H,)
    Returns (i, f, g, o), each (B, H): sigmoid for i, f, o and tanh for the candidate g.
    """
    ### BEGIN SOLUTION
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    i = sigmoid(a[:, 0 * H:1 * H])
    f = sigmoid(a[:, 1 * H:2 * H])
    g = np.tanh(a[:, 2 * H:3 * H])
    o = sigmoid(a[:, 3 * H:4 * H])
    return i, f, g, o
    ### END SOLUTION

# %% [tests] id=test_lstm_gates points=2
check.check_gates(lstm_gates)
### BEGIN HIDDEN TESTS
check.check_gates(lstm_gates, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
## 3. Exercise — the cell update

The two equations that make an LSTM an LSTM: the cell state is *updated additively*,

$$c_t = f_t * c_{t-1} + i_t * g_t, \qquad h_t = o_t * \tanh(c_t).$$

The cell state is never squashed between steps: when $f_t \approx 1$ and $i_t \approx 0$ it is copied unchanged,
which is why information and gradients survive many steps (chapter §2.1–2.2; lesson 02 measures it). Note that
$h_t$ reads the **new** cell state $c_t$. Write `lstm_cell_update(c_prev, i, f, g, o)` returning `(c, h)`.

# %% [solution] id=lstm_cell_update
def lstm_cell_update(c_prev, i, f, g, o):
    """New cell and hidden state from the gates.

    c_prev, i, f, g, o: each (B, H). Returns (c, h), each (B, H).
    """
    ### BEGIN SOLUTION
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return c, h
    ### END SOLUTION

# %% [tests] id=test_lstm_cell_update points=2
check.check_cell_update(lstm_cell_update)
### BEGIN HIDDEN TESTS
check.check_cell_update(lstm_cell_update, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
## 4. Exercise — one step

Put the two together: `lstm_step(x, h_prev, c_prev, Wx, Wh, b)` returns `(h, c)` — in that order, as PyTorch does.
The test copies your weights into a `torch.nn.LSTM` and compares. Write it from your own functions: calling
`torch.nn.LSTM` or the library's reference earns no points.

# %% [solution] id=lstm_step
def lstm_step(x, h_prev, c_prev, Wx, Wh, b):
    """One LSTM step: x (B, D), h_prev (B, H), c_prev (B, H) -> (h, c), each (B, H)."""
    ### BEGIN SOLUTION
    i, f, g, o = lstm_gates(x, h_prev, Wx, Wh, b)
    c, h = lstm_cell_update(c_prev, i, f, g, o)
    return h, c
    ### END SOLUTION

# %% [tests] id=test_lstm_step points=2
check.check_step(lstm_step)
### BEGIN HIDDEN TESTS
check.check_step(lstm_step, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
## 5. Exercise — a whole sequence

`lstm_forward(X, h0, c0, Wx, Wh, b)` runs the cell over `X` of shape (B, T, D), batch-first: `X[:, t]` is the
input at step t. Return `Hs` of shape (B, T, H) holding $h_t$ of every step, and the final states `(h_T, c_T)`.
Each step starts from the previous step's $h$ and $c$; the weights are the same at every step.

# %% [solution] id=lstm_forward
def lstm_forward(X, h0, c0, Wx, Wh, b):
    """LSTM over a sequence. X (B, T, D), h0 (B, H), c0 (B, H) -> (Hs (B, T, H), (h_T, c_T))."""
    ### BEGIN SOLUTION
    h, c = h0, c0
    outputs = []
    for t in range(X.shape[1]):
        h, c = lstm_step(X[:, t], h, c, Wx, Wh, b)
        outputs.append(h)
    return np.stack(outputs, axis=1), (h, c)
    ### END SOLUTION

# %% [tests] id=test_lstm_forward points=3
check.check_forward(lstm_forward)
### BEGIN HIDDEN TESTS
check.check_forward(lstm_forward, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
## 6. Exercise — counting parameters

How many numbers does one LSTM layer learn? Each of the 4 gate blocks has an $H \times D$ input matrix, an
$H \times H$ recurrent matrix and its biases. The chapter and Keras use **one** bias vector per gate; PyTorch keeps
**two** (`bias_ih` and `bias_hh`, added together — mathematically redundant, kept for cuDNN compatibility).
Write `lstm_param_count(input_size, hidden_size, bias_vectors=1)` returning an `int`.

# %% [solution] id=lstm_param_count
def lstm_param_count(input_size, hidden_size, bias_vectors=1):
    """Trainable numbers in one LSTM layer with D=input_size, H=hidden_size and bias_vectors bias vectors per gate."""
    ### BEGIN SOLUTION
    D, H = input_size, hidden_size
    return 4 * (H * D + H * H + bias_vectors * H)
    ### END SOLUTION

# %% [tests] id=test_lstm_param_count points=1
check.check_param_count(lstm_param_count)
### BEGIN HIDDEN TESTS
check.check_param_count(lstm_param_count, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
## 7. Your cell is PyTorch's cell

`torch.nn.LSTM` stores `weight_ih_l0` (4H, D), `weight_hh_l0` (4H, H) and two biases, gate order i, f, g, o — our
`Wx.T`, `Wh.T` and `b` split in two. `lstmlab.bridge` copies weights either way. In float64 your forward pass and
PyTorch's agree to rounding error:

# %% [demo]
from lstmlab.bridge import from_torch

B, T, D, H = 4, 30, 8, 16
torch_lstm = torch.nn.LSTM(D, H, batch_first=True).double()
X, h0, c0 = lstm_inputs(B, T, D, H, seed=3)
with torch.no_grad():
    out, (hn, cn) = torch_lstm(torch.from_numpy(X), (torch.from_numpy(h0)[None], torch.from_numpy(c0)[None]))

Hs, (hT, cT) = lstm_forward(X, h0, c0, *from_torch(torch_lstm))
print(f"max |yours - torch| over all outputs: {np.abs(Hs - out.numpy()).max():.1e}")
print(f"max |yours - torch| for c_T:          {np.abs(cT - cn[0].numpy()).max():.1e}")
print("parameters: torch", sum(p.numel() for p in torch_lstm.parameters()),
      "| yours (2 bias vectors)", lstm_param_count(D, H, bias_vectors=2))

# %% [markdown]
## 8. The chapter's Keras model (§5.1), run for real

The chapter builds this model with `import tensorflow as tf`:

```python
model = tf.keras.Sequential([tf.keras.layers.LSTM(128), tf.keras.layers.Dense(10, activation='softmax')])
model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])
model.fit(x_train, y_train, epochs=10)
model.evaluate(x_test, y_test)
```

**Correction.** `x_train` is never defined in the chapter, and §7 says Keras runs "on TensorFlow or Theano": that is
dated. Theano's development stopped in 2017; **Keras 3** (2023) is multi-backend and runs on TensorFlow, JAX or
PyTorch. Below it runs on PyTorch, unchanged apart from the import. We give it a task it can actually be judged on:
sequences of 12 one-hot symbols from 10 classes whose label is the **first** symbol (everything after it is noise),
so the LSTM has to carry one fact across the whole sequence. `LSTM(128)` returns only the last hidden state $h_T$
(`return_sequences=False`), which the softmax layer classifies.

Two Keras defaults worth knowing: `recurrent_activation="sigmoid"` (Keras 2 before 2.3 used a piecewise-linear
"hard sigmoid", so old Keras weights do not reproduce in PyTorch), and `unit_forget_bias=True`, which starts the
forget-gate bias at 1 (Jozefowicz et al., 2015; lesson 02 shows why).

# %% [demo]
import keras

from lstmlab.tasks import first_symbol

keras.utils.set_random_seed(0)
x_train, y_train = first_symbol(2000, steps=12, seed=0)
x_test, y_test = first_symbol(500, steps=12, seed=1)

model = keras.Sequential([keras.Input(shape=(12, 10)), keras.layers.LSTM(128), keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history = model.fit(x_train, y_train, epochs=10, batch_size=64, verbose=0)
loss, acc = model.evaluate(x_test, y_test, verbose=0)
print(f"Keras {keras.__version__} on backend {keras.backend.backend()}: test accuracy {acc:.3f} "
      f"(chance 0.100), final training loss {history.history['loss'][-1]:.3f}")
print("Keras parameter count of the LSTM layer:", model.layers[0].count_params(),
      "| yours (1 bias vector):", lstm_param_count(10, 128, bias_vectors=1))

# %% [markdown]
Keras stores `kernel` (D, 4H), `recurrent_kernel` (H, 4H) and one `bias` (4H,), gate order i, f, c, o — exactly our
layout (Keras's "c" is our g). So the trained weights drop straight into **your** `lstm_forward`; add the dense
layer and a softmax in numpy and the predictions must match Keras's:

# %% [demo]
from lstmlab.bridge import from_keras

lstm_weights = from_keras(model.layers[0])
W_dense, b_dense = model.layers[1].get_weights()
B = len(x_test)
zeros = np.zeros((B, 128), dtype=np.float32)
_, (h_last, _) = lstm_forward(x_test, zeros, zeros, *lstm_weights)
logits = h_last @ W_dense + b_dense
probs = np.exp(logits - logits.max(axis=1, keepdims=True))
probs /= probs.sum(axis=1, keepdims=True)
keras_probs = np.asarray(model.predict(x_test, verbose=0))
print(f"max |your probabilities - Keras's|: {np.abs(probs - keras_probs).max():.1e} (float32)")
print("same predicted class for all", B, "test sequences:", bool((probs.argmax(1) == keras_probs.argmax(1)).all()))

# %% [markdown]
## 9. Watching the gates work

What do the gates *do*? Train a tiny LSTM (H = 4) on a latch task: at every step the input carries a random value
$\pm 1$ and, occasionally, a marker; the target is the value seen at the most recent marker. To solve it the cell
must **write** at a marker (input gate open, forget gate closed) and **hold** everywhere else (input gate closed,
forget gate open). We train with PyTorch, copy the weights into our numpy layout, and plot the activations your
`lstm_gates` computes.

# %% [demo]
from lstmlab.bridge import from_torch
from lstmlab.lstm import lstm_forward as reference_forward
from lstmlab.plots import plot_gates
from lstmlab.tasks import remember_marked
from lstmlab.train import fit


class Latch(torch.nn.Module):
    def __init__(self, hidden=4):
        super().__init__()
        self.lstm = torch.nn.LSTM(2, hidden, batch_first=True)
        self.readout = torch.nn.Linear(hidden, 1)

    def forward(self, x):
        return self.readout(self.lstm(x)[0])[..., 0]


torch.manual_seed(0)
X_latch, Y_latch = remember_marked(1024, steps=40, p_mark=0.08, seed=0)
latch = Latch()
losses = fit(latch, X_latch, Y_latch, torch.nn.functional.mse_loss, steps=400, lr=2e-2, desc="latch task")
print(f"mean squared error: first 20 steps {np.mean(losses[:20]):.3f}, last 20 steps {np.mean(losses[-20:]):.4f}")

# %% [demo]
params_latch = from_torch(latch.lstm, dtype=np.float64)
x_seq, _ = remember_marked(1, steps=40, p_mark=0.08, seed=7)
x_seq = x_seq.astype(np.float64)
Hc = params_latch.hidden_size
h, c = np.zeros((1, Hc)), np.zeros((1, Hc))
trace = {k: [] for k in "ifoc"}
for t in range(x_seq.shape[1]):
    i, f, g, o = lstm_gates(x_seq[:, t], h, *params_latch)
    c, h = lstm_cell_update(c, i, f, g, o)
    for name, value in zip("ifoc", (i, f, o, c)):
        trace[name].append(value[0])
trace = {k: np.array(v) for k, v in trace.items()}
fig, drawn = plot_gates(trace, inputs=x_seq[0], input_labels=["value (±1)", "marker"],
                        title="Latch task: gates of a trained 4-unit LSTM")
plt.show()
marks = x_seq[0, :, 1] > 0
f_unit = int(np.argmax(np.abs(trace["f"][marks].mean(0) - trace["f"][~marks].mean(0))))
print(f"forget-gate unit {f_unit}: mean {trace['f'][marks, f_unit].mean():.2f} at markers, "
      f"{trace['f'][~marks, f_unit].mean():.2f} elsewhere")
i_unit = int(np.argmax(np.abs(trace["i"][marks].mean(0) - trace["i"][~marks].mean(0))))
print(f"input-gate unit {i_unit}:  mean {trace['i'][marks, i_unit].mean():.2f} at markers, "
      f"{trace['i'][~marks, i_unit].mean():.2f} elsewhere")

# %% [markdown]
Read the picture from the top. The printed figures say which units to look at: at each marker a forget-gate unit
drops (the old value is erased) while an input-gate unit opens (the new value is written); between markers the input
gate stays nearly shut and the cell state of the unit that stores the value stays flat — the additive update of
exercise 3 at work. Gates are soft: the forget gate here sits well below 1 between markers because 40 steps are short
and the readout only needs the sign of $c_t$; on longer sequences training pushes it closer to 1. Units of a trained
network are rarely this tidy in larger models; lesson 09 goes looking for such units systematically (the chapter's
§7 LSTMVis).

## 10. What the chapter says about cost (§1.1), measured

The chapter lists high computational cost and poor parallelism as LSTM limitations. Both are true and have a precise
form: a step costs about $2 \cdot 4H(D+H)$ multiply-adds per sequence, and the $T$ steps must run one after another
because $h_t$ needs $h_{t-1}$. Only the input projections $x_t W_x$ of all steps can be done at once — which is
what fast implementations (cuDNN, and `lstmlab.lstm.lstm_forward`) do. Lesson 10 compares with self-attention, which
removes the sequential dependency.

# %% [demo]
D, H, B = 64, 128, 32
print(f"multiply-adds per step for D={D}, H={H}, B={B}: {B * 4 * H * (D + H):,}")
print(f"parameters: {lstm_param_count(D, H):,} (Keras/chapter) vs {lstm_param_count(D, H, 2):,} (torch)")

# %% [markdown]
## Summary

- An LSTM step is four gate blocks from one matrix product, an additive cell update and a gated output.
- Our layout `Wx (D, 4H), Wh (H, 4H), b (4H,)` with gates i, f, g, o is Keras's layout and PyTorch's transposed;
  PyTorch keeps two bias vectors, so it counts $4H$ more parameters.
- The chapter's notation is the same cell with $W_k$ acting on $[h_{t-1}, x_t]$; the original 1997 LSTM had no
  forget gate.

Next: lesson 02 derives the backward pass and shows why the cell state carries gradient.
