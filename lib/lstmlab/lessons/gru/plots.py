"""The lesson's figures: switch errors and states on a^n b^n, and LSTM vs GRU speed. Each returns (fig, data_drawn)."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from lstmlab.i18n import N_, _

PASSES = {"forward": N_("forward"), "forward+backward": N_("forward+backward")}


def plot_switch_errors(results: dict[str, list[dict]], n_train: int, title: str | None = None):
    """Switch error against n, one line per trained model, training range shaded.

    results: {"LSTM": [evaluate(...) per seed], "GRU": [...]}
    Returns (fig, data) with data = {label: [(n, switch_error), ...]} as drawn.
    """
    title = _("a^n b^n: when does the model say 'matched'?") if title is None else title
    fig, ax = plt.subplots(figsize=(8, 3.6))
    colors = {"LSTM": "tab:blue", "GRU": "tab:orange"}
    data: dict[str, list] = {}
    for label, runs in results.items():
        data[label] = []
        for k, res in enumerate(runs):
            ax.plot(res["n"], res["switch_error"], color=colors.get(label), alpha=0.85, lw=1.4,
                    ls=["-", "--", ":"][k % 3], label=_("{label}, seed {seed}").format(label=label, seed=k))
            data[label].append((res["n"], res["switch_error"]))
    ax.axvspan(1, n_train, color="0.9", label=_("training range n ≤ {n_train}").format(n_train=n_train))
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xlabel(_("n (number of a's, then of b's)"))
    ax.set_ylabel(_("switch error (steps)\n< 0: says 'matched' too early"))
    ax.set_title(title)
    ax.legend(fontsize=8, ncol=3, loc="lower left")
    fig.tight_layout()
    return fig, data


def plot_states(traces: dict[str, np.ndarray], n: int, title: str | None = None):
    """The state that carries the count, step by step, for one string a^n b^(n + margin).

    traces: {label: (T,) array}, e.g. {"LSTM cell state c_t (unit k)": ..., "GRU hidden state h_t (unit j)": ...}
    Returns (fig, data) with data = traces as drawn.
    """
    title = _("Inside the trained models on one string a^n b^n") if title is None else title
    fig, axes = plt.subplots(1, len(traces), figsize=(4.2 * len(traces), 3.0), squeeze=False)
    for ax, (label, trace) in zip(axes[0], traces.items()):
        trace = np.asarray(trace)
        ax.plot(np.arange(len(trace)), trace, lw=1.6)
        ax.axvline(n - 0.5, color="0.5", ls="--", lw=0.8, label=_("first b"))
        ax.axvline(2 * n - 1, color="tab:red", ls=":", lw=1.0, label=_("n-th b (answer flips)"))
        ax.set_xlabel(_("time step t"))
        ax.set_ylabel(_("state value"))
        ax.set_title(label, fontsize=9)
        ax.legend(fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    return fig, dict(traces)


def plot_lstm_gru_speed(timings: dict[tuple[str, str, bool], float], steps: int, title: str = ""):
    """Grouped bars: milliseconds per time step for LSTM and GRU, per pass and oneDNN setting.

    timings: as returned by lstmlab.lessons.gru.experiments.compare_lstm_gru; steps: the sequence length used
    (to convert to per step).
    Returns (fig, data) with data = {(kind, pass, onednn): ms per step} as drawn.
    """
    groups = [(p, e) for e in (True, False) for p in ("forward", "forward+backward")]
    fig, ax = plt.subplots(figsize=(8, 3.4))
    width = 0.38
    data = {}
    for j, kind in enumerate(("LSTM", "GRU")):
        values = [timings[(kind, p, e)] / steps for p, e in groups]
        ax.bar(np.arange(len(groups)) + (j - 0.5) * width, values, width, label=f"torch.nn.{kind}",
               color=["tab:blue", "tab:orange"][j])
        data.update({(kind, p, e): v for (p, e), v in zip(groups, values)})
    ticks = [(_("{pass_}\noneDNN on (default)") if e else _("{pass_}\noneDNN off")).format(pass_=_(PASSES[p]))
             for p, e in groups]
    ax.set_xticks(np.arange(len(groups)), ticks, fontsize=8)
    ax.set_ylabel(_("CPU time per step (ms)"))
    ax.set_xlabel(_("pass and PyTorch CPU kernel setting"))
    ax.set_title(title or _("LSTM vs GRU on this CPU (lower is faster)"))
    ax.legend()
    fig.tight_layout()
    return fig, data
