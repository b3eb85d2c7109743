"""A small LSTM encoder-decoder, with or without Bahdanau attention, for the date task (lstmlab.lessons.attention.tasks).

    encoder   bidirectional LSTM over the source characters -> annotations K (B, T, 2H)
              (the states of both directions side by side, as in Bahdanau et al. 2015)
    decoder   LSTMCell with state s (B, 2H), started from the encoder's summary (c starts at 0); at output step t:
                  attention=True:  e = v . tanh(s_{t-1} Wq + K Wk)       additive scores (B, T)
                                   a = masked_softmax(e, mask)           padding gets weight 0
                                   c_t = sum_j a_j K_j                   context (B, 2H)
                  attention=False: c_t = [h_fwd(last char), h_bwd(first char)]  the same vector every step
                  s_t = LSTMCell([embed(y_{t-1}), c_t], s_{t-1})
                  logits_t = W_out [s_t, c_t]

The two models differ only in where c_t comes from, so comparing them measures what attention adds:
without it, the whole source must pass through one fixed-size vector (the "bottleneck" Cho et al. 2014
measured and Bahdanau et al. 2015 removed).

Batch-first; tensors are torch, arrays going in and out are numpy.

    train      Adam with teacher forcing, held-out exact match recorded on the way
    predict    greedy decoding -> predicted indices and attention weights
    accuracy   exact match, per character, per output position and per format
    date_step_fn  one source date as a step function for lstmlab.decoding (greedy_decode, beam_search)
    beam_predict  beam search over a whole data set at once (batched in torch; the same answer as
                  lstmlab.decoding.beam_search driven through date_step_fn, tested)

Teacher forcing: in training (forward with Y) step t reads the true previous character Y[:, t-1].
Greedy decoding: at test time (forward without Y) it reads its own previous choice, the argmax.
"""
from __future__ import annotations

import copy

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from lstmlab.i18n import _
from lstmlab.lessons.attention.tasks import SRC_VOCAB, TARGET_LEN, TGT_VOCAB


class DateSeq2Seq(nn.Module):
    """LSTM encoder-decoder for fixed-length outputs.

    emb: embedding size; hidden: units per encoder direction (the decoder has 2*hidden);
    attention: use additive attention (True) or a fixed context vector (False);
    attn_size: A, the width of Bahdanau's scoring layer.
    """

    def __init__(self, emb: int = 24, hidden: int = 32, attention: bool = True, attn_size: int = 32,
                 src_vocab: int = len(SRC_VOCAB), tgt_vocab: int = len(TGT_VOCAB), out_len: int = TARGET_LEN):
        super().__init__()
        H2 = 2 * hidden
        self.attention, self.out_len = attention, out_len
        self.src_emb = nn.Embedding(src_vocab, emb, padding_idx=0)
        self.tgt_emb = nn.Embedding(tgt_vocab, emb)
        self.enc_fwd = nn.LSTM(emb, hidden, batch_first=True)
        self.enc_bwd = nn.LSTM(emb, hidden, batch_first=True)
        self.decoder = nn.LSTMCell(emb + H2, H2)
        if attention:
            self.Wq = nn.Linear(H2, attn_size, bias=False)
            self.Wk = nn.Linear(H2, attn_size, bias=False)
            self.v = nn.Linear(attn_size, 1, bias=False)
        self.out = nn.Linear(2 * H2, tgt_vocab)

    def encode(self, X, mask):
        """X (B, T) int64, mask (B, T) bool (real characters first, padding after).

        Returns annotations K (B, T, 2H) = [forward state, backward state] at every position, and the
        summary [h_fwd(last character), h_bwd(first character)] (B, 2H). The backward LSTM reads each
        sequence's real characters in reverse (padding stays at the end), which is what a packed
        bidirectional nn.LSTM does, without the cost of packing.
        """
        B, T = X.shape
        lengths = mask.sum(1)
        t = torch.arange(T, device=X.device).expand(B, T)
        rev = torch.where(t < lengths[:, None], lengths[:, None] - 1 - t, t)     # reverse the real part only
        E = self.src_emb(X)
        fwd, _ = self.enc_fwd(E)
        bwd_rev, _ = self.enc_bwd(E.gather(1, rev[..., None].expand_as(E)))
        bwd = bwd_rev.gather(1, rev[..., None].expand_as(bwd_rev))              # the same map undoes it
        K = torch.cat([fwd, bwd], -1)
        last = (lengths - 1)[:, None, None].expand(B, 1, fwd.shape[-1])
        summary = torch.cat([fwd.gather(1, last)[:, 0], bwd[:, 0]], -1)
        return K, summary

    def attend(self, s, K, K_proj, mask):
        """s (B, 2H), K (B, T, 2H), K_proj = K Wk (B, T, A), mask (B, T) -> context (B, 2H), weights (B, T)."""
        scores = self.v(torch.tanh(self.Wq(s)[:, None, :] + K_proj))[..., 0]
        weights = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)
        return torch.einsum("bt,btd->bd", weights, K), weights

    def step(self, prev, s, c, K, K_proj, mask, fixed):
        """One decoder step: prev (N,) int64 previous symbols, state s, c (N, 2H), encoder K (N, T, 2H),
        K_proj (N, T, A) or None, mask (N, T), fixed (N, 2H) the summary.
        Returns logits (N, V), the new s and c, the attention weights (N, T) and the context (N, 2H)."""
        if self.attention:
            ctx, w = self.attend(s, K, K_proj, mask)
        else:
            ctx, w = fixed, torch.zeros(K.shape[:2], device=K.device)
        s, c = self.decoder(torch.cat([self.tgt_emb(prev), ctx], -1), (s, c))
        return self.out(torch.cat([s, ctx], -1)), s, c, w, ctx

    def forward(self, X, mask, Y=None, trace=False):
        """Logits (B, out_len, V) and attention weights (B, out_len, T) (zeros without attention).

        Y (B, out_len) int64: teacher forcing (the decoder reads the true previous symbol);
        None: greedy decoding (it reads its own previous prediction).
        trace=True adds a third value, a dict of what attention saw: "queries" (B, out_len, 2H) the
        decoder state s_{t-1} each step scored with, "keys" K (B, T, 2H), "contexts" (B, out_len, 2H).
        """
        B, T = X.shape
        K, fixed = self.encode(X, mask)                 # fixed = [h_fwd(last), h_bwd(first)]
        s, c = fixed, torch.zeros_like(fixed)
        K_proj = self.Wk(K) if self.attention else None
        prev = torch.zeros(B, dtype=torch.long, device=X.device)   # START symbol
        logits, weights, queries, contexts = [], [], [], []
        for t in range(self.out_len):
            queries.append(s)
            step, s, c, w, ctx = self.step(prev, s, c, K, K_proj, mask, fixed)
            logits.append(step)
            weights.append(w)
            contexts.append(ctx)
            prev = Y[:, t] if Y is not None else step.argmax(-1)
        out = torch.stack(logits, 1), torch.stack(weights, 1)
        if trace:
            return *out, {"queries": torch.stack(queries, 1), "keys": K, "contexts": torch.stack(contexts, 1)}
        return out


def train(model: DateSeq2Seq, data: dict, steps: int = 200, batch_size: int = 64, lr: float = 1e-2,
          seed: int = 0, clip: float = 1.0, eval_data: dict | None = None, eval_every: int = 25,
          desc: str | None = None) -> dict:
    """Adam with teacher forcing on minibatches drawn (seeded) from data (a lstmlab.lessons.attention.tasks.make_dates dict).

    eval_data: optional held-out dict; every eval_every steps (and after the last) its exact-match
    accuracy under greedy decoding is recorded. desc: the progress bar's label (default "training", in the
    current language).
    Returns {"loss": per-step cross-entropy (nats per output character), "eval_step": [...],
    "eval_exact": [...]} (lists of floats / ints).
    """
    desc = _("training") if desc is None else desc
    torch.manual_seed(seed)
    gen = np.random.default_rng(seed)
    X, M, Y = (torch.as_tensor(data[k]) for k in ("X", "mask", "Y"))
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    history = {"loss": [], "eval_step": [], "eval_exact": []}
    bar = tqdm(range(1, steps + 1), desc=desc, leave=False, mininterval=0.5)
    for step in bar:
        model.train()
        idx = torch.as_tensor(gen.integers(0, len(X), batch_size))
        logits, _weights = model(X[idx], M[idx], Y[idx])
        loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), Y[idx].reshape(-1))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
        history["loss"].append(loss.item())
        bar.set_postfix(loss=f"{history['loss'][-1]:.3f}", refresh=False)
        if eval_data is not None and (step % eval_every == 0 or step == steps):
            history["eval_step"].append(step)
            history["eval_exact"].append(accuracy(predict(model, eval_data)[0], eval_data)["exact"])
    bar.close()
    model.eval()
    return history


@torch.no_grad()
def predict(model: DateSeq2Seq, data: dict) -> tuple[np.ndarray, np.ndarray]:
    """Greedy decoding. Returns predicted indices (N, out_len) int64 and attention weights (N, out_len, T)."""
    model.eval()
    logits, weights = model(torch.as_tensor(data["X"]), torch.as_tensor(data["mask"]))
    return logits.argmax(-1).numpy(), weights.numpy()


def accuracy(pred: np.ndarray, data: dict) -> dict:
    """Exact match (whole date right), per-character accuracy, and per-position / per-format detail.

    Returns {"exact": float, "char": float, "by_position": (out_len,) array, "by_format": {fmt: exact}}.
    """
    Y = np.asarray(data["Y"])
    right = pred == Y
    exact = right.all(1)
    fmts = np.asarray(data["format"])
    return {"exact": float(exact.mean()), "char": float(right.mean()), "by_position": right.mean(0),
            "by_format": {f: float(exact[fmts == f].mean()) for f in dict.fromkeys(data["format"])}}


@torch.no_grad()
def date_step_fn(model: DateSeq2Seq, X_row, mask_row):
    """One source date as a step function for lstmlab.decoding.

    X_row (T,) int64 and mask_row (T,) bool: one row of a make_dates dict.
    Returns (step_fn, start_state, bos, eos): step_fn(tokens (N,), states list of N) ->
    (log_probs (N, V) float64, new_states list of N), a state being the decoder's (s, c) as two float64
    arrays (2H,). The step runs on a float64 copy of the model, so a hypothesis scored alone or in a batch
    gets the same numbers to ~1e-15 (float32 batches of different sizes can differ in the last bits, enough
    to reorder near-ties). bos = the START symbol (0); eos = None (every date has exactly TARGET_LEN
    characters: decode with max_len = TARGET_LEN). The encoder runs once, here.
    """
    model = copy.deepcopy(model).double().eval()
    X = torch.as_tensor(np.asarray(X_row))[None]
    M = torch.as_tensor(np.asarray(mask_row))[None]
    K, fixed = model.encode(X, M)
    K_proj = model.Wk(K) if model.attention else None

    @torch.no_grad()
    def step_fn(tokens, states):
        n = len(states)
        s = torch.as_tensor(np.stack([np.asarray(st[0]) for st in states]))
        c = torch.as_tensor(np.stack([np.asarray(st[1]) for st in states]))
        logits, s, c, _, _ = model.step(torch.as_tensor(np.asarray(tokens, dtype=np.int64)), s, c,
                                        K.expand(n, -1, -1), None if K_proj is None else K_proj.expand(n, -1, -1),
                                        M.expand(n, -1), fixed.expand(n, -1))
        log_probs = torch.log_softmax(logits, -1).numpy()
        return log_probs, [(s[i].numpy().copy(), c[i].numpy().copy()) for i in range(n)]

    start = (fixed[0].numpy().copy(), np.zeros_like(fixed[0].numpy()))
    return step_fn, start, 0, None


@torch.no_grad()
def beam_predict(model: DateSeq2Seq, data: dict, k: int, batch_size: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """Beam search with width k for every source in data at once (no end token: out_len characters each).

    The same rules as lstmlab.decoding.beam_search with eos=None (all N*V candidates of a source compete;
    ties go to the better-ranked hypothesis, then the smaller symbol), in float64 log-probabilities.
    Returns (predictions (N, out_len) int64, scores (N,) float64 summed log-probabilities of the best).
    k = 1 gives predict's greedy answer.
    """
    model.eval()
    X_all, M_all = torch.as_tensor(data["X"]), torch.as_tensor(data["mask"])
    preds, best = [], []
    for lo in range(0, len(X_all), batch_size):
        X, M = X_all[lo:lo + batch_size], M_all[lo:lo + batch_size]
        B = len(X)
        K, fixed = model.encode(X, M)
        K_proj = model.Wk(K) if model.attention else None
        # beams (B, n) flattened to rows (B * n): start with one hypothesis per source
        n = 1
        rep = lambda a: a.repeat_interleave(n, 0)
        s, c = fixed, torch.zeros_like(fixed)
        prev = torch.zeros(B, dtype=torch.long)
        score = torch.zeros(B, 1, dtype=torch.float64)
        tokens = torch.zeros(B, 1, 0, dtype=torch.long)
        for _step in range(model.out_len):
            logits, s, c, _, _ = model.step(prev, s, c, rep(K), None if K_proj is None else rep(K_proj), rep(M),
                                            rep(fixed))
            V = logits.shape[-1]
            total = score[..., None] + torch.log_softmax(logits.double(), -1).view(B, n, V)   # (B, n, V)
            flat = total.view(B, n * V)
            # a stable descending sort: equal scores keep the flattened (hypothesis, symbol) order
            order = torch.sort(flat, dim=1, descending=True, stable=True).indices[:, :k]
            beam, sym = order // V, order % V                                              # (B, k')
            score = flat.gather(1, order)
            tokens = torch.cat([tokens.gather(1, beam[..., None].expand(-1, -1, tokens.shape[-1])), sym[..., None]], -1)
            rows = (torch.arange(B)[:, None] * n + beam).reshape(-1)
            s, c = s[rows], c[rows]
            prev = sym.reshape(-1)
            n = order.shape[1]
        preds.append(tokens[:, 0].numpy())
        best.append(score[:, 0].numpy())
    return np.concatenate(preds), np.concatenate(best)
