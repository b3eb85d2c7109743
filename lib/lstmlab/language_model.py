"""A character-level language model in numpy, built from the course's own pieces.

The model reads characters x_1..x_T (ids) and predicts, at every step t, a distribution over the next one:

    E      = W_embed[x]                       (B, T, D)   embedding lookup          embedding_forward
    Hs     = LSTM(E)                          (B, T, H)   lessons 01-02             lstmlab.lstm.lstm_forward
    logits = Hs @ W_out + b_out               (B, T, V)   one affine map per step
    loss   = masked mean of -log softmax(logits)[target] over real positions       temporal_softmax_loss

trained with global-norm clipping and Adam (lesson 06, lstmlab.optim). Every piece is a forward/backward
pair, and the model's functions take the pieces as arguments (a dict, `pieces`), so a student's own
functions replace the references one by one:

    temporal_softmax_loss(logits, targets, mask) -> loss, dlogits
    embedding_forward(idx, W) -> out, cache ;  embedding_backward(dout, cache) -> dW
    sample_next(logits, temperature, rng) -> (B,) int ids
    perplexity(log_likelihoods, mask) -> float
    init_params(V, D, H, rng) -> params (dict) ;  PARAM_NAMES is their order as a list
    model_forward(params, inputs, targets, mask, pieces) -> loss, cache ;  model_backward(cache, pieces) -> grads
    train_step(params, opt_state, batch, pieces, lr, max_norm) -> params, opt_state, loss, grad_norm
    generate(params, prompt, n, temperature, rng, sample=sample_next) -> ids

Shapes: B batch, T steps, V vocabulary size, D embedding size, H hidden size. Batch-first throughout.
"""
from __future__ import annotations

import numpy as np

from lstmlab import lstm as _lstm
from lstmlab import optim as _optim
from lstmlab.i18n import _

GREEDY_BELOW = 1e-8     # sample_next: a temperature <= this is greedy decoding (argmax)


# --- the loss --------------------------------------------------------------------------------

def log_softmax(logits: np.ndarray) -> np.ndarray:
    """log softmax over the last axis, stable for any finite logits: z - max - log(sum(exp(z - max))). Same shape."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def temporal_softmax_loss(logits, targets, mask):
    """Masked softmax cross-entropy over every step of a batch of sequences, and its gradient.

    Inputs:
        logits   (B, T, V)  scores of every character at every step
        targets  (B, T)     int, the correct next character at every step
        mask     (B, T)     bool or 0/1: True where the step is real, False at padding
    Returns:
        loss     float, sum over real positions of -log softmax(logits[b, t])[targets[b, t]], divided by
                 N = the number of real positions (padding adds nothing, not even to N). N = 0 gives 0.0.
        dlogits  (B, T, V)  d loss / d logits = (softmax - one_hot(target)) / N at real positions, 0 at padding
    """
    mask = np.asarray(mask).astype(bool)
    n = int(mask.sum())
    logp = log_softmax(logits)                                              # (B, T, V)
    picked = np.take_along_axis(logp, targets[..., None], axis=-1)[..., 0]   # (B, T)
    loss = -float(picked[mask].sum()) / max(n, 1)
    dlogits = np.exp(logp)
    np.put_along_axis(dlogits, targets[..., None], np.take_along_axis(dlogits, targets[..., None], -1) - 1, axis=-1)
    dlogits = dlogits * (mask[..., None] / max(n, 1))
    return loss, dlogits.astype(logits.dtype, copy=False)


def token_log_likelihoods(logits, targets):
    """log p(target) at every position: (B, T, V) logits and (B, T) targets -> (B, T), natural log."""
    return np.take_along_axis(log_softmax(logits), targets[..., None], axis=-1)[..., 0]


def perplexity(log_likelihoods, mask):
    """Perplexity of a model on a batch of sequences: exp of the mean negative log-likelihood per token.

    Inputs:
        log_likelihoods (B, T)  natural-log probability the model gave each target token
        mask            (B, T)  bool or 0/1, True at real tokens (padding is not counted)
    Returns a float: exp(-sum of log_likelihoods at real tokens / number of real tokens).
    1 is a perfect model; a uniform guess over V characters scores V.
    """
    mask = np.asarray(mask).astype(bool)
    return float(np.exp(-np.asarray(log_likelihoods, dtype=np.float64)[mask].sum() / mask.sum()))


# --- the embedding ---------------------------------------------------------------------------

def embedding_forward(idx, W):
    """Look up the rows of W: out[b, t] = W[idx[b, t]].

    Inputs:
        idx  (B, T) int in [0, V)
        W    (V, D) the embedding matrix (not modified)
    Returns:
        out    (B, T, D) a new array (not a view of W)
        cache  (idx, V): what embedding_backward needs
    """
    return W[idx], (idx, W.shape[0])


def embedding_backward(dout, cache):
    """Gradient of the embedding matrix: dW[v] = sum of dout[b, t] over every (b, t) with idx[b, t] == v.

    Inputs:
        dout   (B, T, D) gradient w.r.t. the looked-up rows
        cache  from embedding_forward
    Returns:
        dW     (V, D), zero for ids that do not occur. A repeated id ACCUMULATES: np.add.at,
               since dW[idx] += dout keeps only one of the repeats.
    """
    idx, V = cache
    dW = np.zeros((V, dout.shape[-1]), dtype=dout.dtype)
    np.add.at(dW, idx, dout)
    return dW


# --- sampling --------------------------------------------------------------------------------

def softmax(logits, temperature: float = 1.0):
    """softmax(logits / temperature) over the last axis, stable for any finite logits and temperature > 0."""
    z = logits / temperature
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def sample_next(logits, temperature, rng):
    """One next character per row, drawn from softmax(logits / temperature) with the given Generator.

    Inputs:
        logits       (B, V)  scores of the next character
        temperature  float >= 0. <= 1e-8 (GREEDY_BELOW) is greedy: the argmax of each row, no draw;
                     1 samples the model's distribution; larger flattens it, smaller sharpens it
        rng          numpy.random.Generator: exactly one call, u = rng.random(B)
    Returns:
        ids  (B,) int: row b's id is the first k whose cumulative probability p_0 + ... + p_k exceeds u[b]
             (inverse-CDF sampling; k = V - 1 if rounding leaves the total just below u[b]).
    """
    logits = np.asarray(logits, dtype=np.float64)
    if temperature <= GREEDY_BELOW:
        return logits.argmax(axis=-1)
    p = softmax(logits, temperature)
    u = rng.random(logits.shape[0])
    cdf = np.cumsum(p, axis=-1)
    ids = (cdf <= u[:, None]).sum(axis=-1)
    return np.minimum(ids, logits.shape[-1] - 1)


# --- the model -------------------------------------------------------------------------------

PARAM_NAMES = ("W_embed", "Wx", "Wh", "b", "W_out", "b_out")

REFERENCE_PIECES = {
    "embedding_forward": embedding_forward,
    "embedding_backward": embedding_backward,
    "lstm_forward": _lstm.lstm_forward,
    "lstm_backward": _lstm.lstm_backward,
    "loss": temporal_softmax_loss,
    "clip": _optim.clip_by_global_norm,
    "adam_step": _optim.adam_step,
}


def pieces_with(**replacements):
    """REFERENCE_PIECES with some pieces replaced, e.g. pieces_with(loss=my_loss)."""
    unknown = set(replacements) - set(REFERENCE_PIECES)
    if unknown:
        raise KeyError(_("unknown pieces {unknown}; the pieces are {pieces}").format(
            unknown=sorted(unknown), pieces=sorted(REFERENCE_PIECES)))
    return {**REFERENCE_PIECES, **replacements}


def init_params(V: int, D: int, H: int, rng: np.random.Generator, forget_bias: float = 1.0) -> dict:
    """Seeded weights of the character model, float64:

        W_embed (V, D) ~ N(0, 1);  Wx (D, 4H), Wh (H, 4H) ~ U(-1/sqrt(H), 1/sqrt(H)) (torch's LSTM init);
        b (4H,) zero but the forget gate's block = forget_bias (lesson 02);
        W_out (H, V) ~ U(-1/sqrt(H), 1/sqrt(H));  b_out (V,) zero.
    """
    k = 1.0 / np.sqrt(H)
    b = np.zeros(4 * H)
    b[H:2 * H] = forget_bias
    return {
        "W_embed": rng.standard_normal((V, D)),
        "Wx": rng.uniform(-k, k, (D, 4 * H)),
        "Wh": rng.uniform(-k, k, (H, 4 * H)),
        "b": b,
        "W_out": rng.uniform(-k, k, (H, V)),
        "b_out": np.zeros(V),
    }


def model_forward(params: dict, inputs, targets, mask, pieces: dict = REFERENCE_PIECES):
    """Forward pass from a zero state and the loss.

    inputs, targets (B, T) int; mask (B, T) bool. Returns (loss float, cache for model_backward).
    """
    B = inputs.shape[0]
    H = params["Wh"].shape[0]
    E, emb_cache = pieces["embedding_forward"](inputs, params["W_embed"])             # (B, T, D)
    zeros = np.zeros((B, H), dtype=E.dtype)
    Hs, _, lstm_cache = pieces["lstm_forward"](E, zeros, zeros, params["Wx"], params["Wh"], params["b"])  # (B, T, H)
    logits = Hs @ params["W_out"] + params["b_out"]                                  # (B, T, V)
    loss, dlogits = pieces["loss"](logits, targets, mask)
    return loss, (emb_cache, lstm_cache, Hs, dlogits)


def model_backward(params: dict, cache, pieces: dict = REFERENCE_PIECES) -> dict:
    """Gradients of the loss w.r.t. every parameter: a dict with the keys of PARAM_NAMES, shaped like params."""
    emb_cache, lstm_cache, Hs, dlogits = cache
    H = Hs.shape[-1]
    dW_out = Hs.reshape(-1, H).T @ dlogits.reshape(-1, dlogits.shape[-1])            # (H, V)
    db_out = dlogits.sum(axis=(0, 1))                                                # (V,)
    dHs = dlogits @ params["W_out"].T                                                # (B, T, H)
    dE, _, _, dWx, dWh, db = pieces["lstm_backward"](dHs, lstm_cache)
    dW_embed = pieces["embedding_backward"](dE, emb_cache)
    return {"W_embed": dW_embed, "Wx": dWx, "Wh": dWh, "b": db, "W_out": dW_out, "b_out": db_out}


def train_step(params: dict, opt_state: dict | None, batch, pieces: dict = REFERENCE_PIECES,
               lr: float = 1e-2, max_norm: float = 1.0):
    """One update: forward, backward, global-norm clipping, Adam.

    batch = (inputs, targets, mask); opt_state None starts Adam afresh.
    Returns (new params dict, new Adam state, loss before the update, global gradient norm before clipping).
    """
    loss, cache = model_forward(params, *batch, pieces=pieces)
    grads = model_backward(params, cache, pieces)
    plist = [params[k] for k in PARAM_NAMES]
    glist = [grads[k] for k in PARAM_NAMES]
    norm = _optim.global_norm(glist)
    glist = pieces["clip"](glist, max_norm)
    if opt_state is None:
        opt_state = _optim.adam_init(plist)
    plist, opt_state = pieces["adam_step"](plist, glist, opt_state, lr=lr)
    return dict(zip(PARAM_NAMES, plist)), opt_state, loss, norm


def logits_of(params: dict, inputs):
    """(B, T, V) logits of the model on inputs (B, T), from a zero state (reference pieces)."""
    E, _ = embedding_forward(inputs, params["W_embed"])
    zeros = np.zeros((inputs.shape[0], params["Wh"].shape[0]))
    Hs, _, _ = _lstm.lstm_forward(E, zeros, zeros, params["Wx"], params["Wh"], params["b"])
    return Hs @ params["W_out"] + params["b_out"]


def generate(params: dict, prompt, n: int, temperature: float, rng: np.random.Generator, sample=sample_next,
             forbid=()):
    """Free-running generation: read the prompt (B, P) ids, then feed each sampled id back in, n times.

    forbid: ids never to generate (e.g. UNK): their logits are set to -inf before sampling.
    Returns (B, n) int64: the generated ids (the prompt not included).
    """
    prompt = np.atleast_2d(np.asarray(prompt))
    B, H = prompt.shape[0], params["Wh"].shape[0]
    h = c = np.zeros((B, H))
    for t in range(prompt.shape[1]):
        h, c, _ = _lstm.lstm_step_forward(params["W_embed"][prompt[:, t]], h, c, params["Wx"], params["Wh"], params["b"])
    out = np.zeros((B, n), dtype=np.int64)
    for t in range(n):
        logits = h @ params["W_out"] + params["b_out"]
        if len(forbid):
            logits[:, list(forbid)] = -np.inf
        out[:, t] = sample(logits, temperature, rng)
        h, c, _ = _lstm.lstm_step_forward(params["W_embed"][out[:, t]], h, c, params["Wx"], params["Wh"], params["b"])
    return out
