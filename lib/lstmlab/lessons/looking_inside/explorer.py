"""An ipywidgets explorer of a recording (see lstmlab.interpret): pick a quantity, a string and a unit.

The logic is plain functions that return arrays (tested without a browser):
    unit_choices(rec, feature, quantity)          units ranked by |r| with the feature, with labels
    explorer_view(rec, texts, feature, ...)       everything one view draws, as arrays
    draw_view(view)                               the picture of a view -> (figure, data drawn)
The widget (`Explorer`) only wires controls to these functions. Its picture is an Image widget
holding a PNG, redrawn when a control changes; the figure is a matplotlib.figure.Figure that is
never registered with pyplot, so nothing is displayed twice and a notebook's stored outputs hold
only the widget and its plain-text summary (which is the same on every run).
"""
from __future__ import annotations

import io

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from lstmlab.i18n import N_, _
from lstmlab.interpret import NAMES, QUANTITIES, unit_correlations

# the same texts as plots.py's (one catalog entry each); not imported from there, which would import pyplot
DEPTH = N_("depth")
ACTIVATION = N_("activation")
INPUT_AXIS = N_("input character (time step t →)")


def _feature(feature_name: str | None) -> str:
    """The feature's name as shown: "depth" (in the current language) by default."""
    return _(DEPTH) if feature_name is None else feature_name


def unit_choices(rec: dict[str, np.ndarray], feature: np.ndarray, quantity: str = "h") -> list[tuple[str, int]]:
    """Units of one quantity ranked by |r| with the feature, strongest first.

    rec: {quantity: (B, T, U)}; feature: (B, T).
    Returns [(label, unit)], label like "unit 6 (r = +0.98)", for a dropdown.
    """
    r = unit_correlations(rec[quantity], feature)
    order = np.argsort(-np.abs(r), kind="stable")
    return [(_("unit {unit} (r = {r:+.2f})").format(unit=int(u), r=r[u]), int(u)) for u in order]


def explorer_view(rec: dict[str, np.ndarray], texts: list[str], feature: np.ndarray, sequence: int = 0,
                  unit: int = 0, quantity: str = "h", top: int = 8) -> dict:
    """Everything the explorer draws for one choice of quantity, string and unit.

    rec: {quantity: (B, T, U)}; texts: B strings of T characters; feature: (B, T).
    Returns {"text": str, "values": (T,) the unit over the string, "feature": (T,),
             "heat": (top, T) the `top` units with the largest |r| over the string, "units": their indices,
             "r": float, the unit's r over all B strings, "quantity", "unit", "sequence"}.
    """
    A = np.asarray(rec[quantity])
    r = unit_correlations(A, feature)
    ranked = np.argsort(-np.abs(r), kind="stable")[:top]
    return {
        "text": texts[sequence],
        "values": A[sequence, :, unit],
        "feature": np.asarray(feature)[sequence],
        "heat": A[sequence][:, ranked].T,
        "units": [int(u) for u in ranked],
        "r": float(r[unit]),
        "quantity": quantity,
        "unit": int(unit),
        "sequence": int(sequence),
    }


def draw_view(view: dict, feature_name: str | None = None) -> tuple[Figure, dict]:
    """The explorer's picture: the chosen unit against the feature, and the top units as a heat map.

    view: from explorer_view; feature_name: default "depth" (in the lesson's language).
    Returns (fig, data) with data = {"values": (T,), "feature": (T,), "heat": (top, T)}.
    """
    feature_name = _feature(feature_name)
    q, u, text = view["quantity"], view["unit"], view["text"]
    T = len(text)
    fig = Figure(figsize=(10, 4.2))
    ax1, ax2 = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [1.2, 1.0]})
    ax1.plot(range(T), view["values"], color="C3", label=f"{q}[{u}]")
    ax1.set_ylabel(_("{quantity}[{unit}] activation").format(quantity=q, unit=u))
    ax1.set_title(_("string {sequence}: {name}, unit {unit} (r = {r:+.2f} with {feature_name} over all strings)").format(
        sequence=view["sequence"], name=_(NAMES[q]), unit=u, r=view["r"], feature_name=feature_name), fontsize=10)
    twin = ax1.twinx()
    twin.step(range(T), view["feature"], where="mid", color="k", alpha=0.5)
    twin.set_ylabel(feature_name)
    lo, hi = (0.0, 1.0) if q in ("i", "f", "o") else (-1.0, 1.0)
    if q == "c":
        hi = max(1.0, float(np.abs(view["heat"]).max()))
        lo = -hi
    im = ax2.imshow(view["heat"], aspect="auto", cmap="viridis" if q in ("i", "f", "o") else "RdBu_r",
                    vmin=lo, vmax=hi, interpolation="nearest")
    ax2.set_yticks(range(len(view["units"])))
    ax2.set_yticklabels([str(k) for k in view["units"]], fontsize=6)
    ax2.set_ylabel(_("unit (by |r|)"))
    ax2.set_xticks(range(T))
    ax2.set_xticklabels(list(text), fontsize=6, family="monospace")
    ax2.set_xlabel(_(INPUT_AXIS))
    fig.colorbar(im, ax=ax2, pad=0.01, fraction=0.025, label=_(ACTIVATION))
    fig.tight_layout()
    return fig, {"values": np.asarray(view["values"]), "feature": np.asarray(view["feature"]), "heat": view["heat"]}


def render_png(fig: Figure, dpi: int = 80) -> bytes:
    """PNG bytes of a figure (for an Image widget)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


class Explorer(widgets.VBox):
    """The widget: controls on top, the picture below. Build it with explorer(...).

    Attributes: quantity, unit (Dropdowns), sequence (IntSlider), image (Image), view (the current
    explorer_view dict). repr() is a one-line summary, so a notebook's text output stays deterministic.
    The labels are in the language current when it is built (feature_name None: "depth" in that language).
    """

    def __init__(self, rec, texts, feature, feature_name=None, quantities=QUANTITIES):
        self.rec, self.texts, self.feature = rec, list(texts), np.asarray(feature)
        self.feature_name = _feature(feature_name)
        self.quantity = widgets.Dropdown(options=[(_(NAMES[q]), q) for q in quantities], value="h",
                                         description=_("quantity"))
        self.unit = widgets.Dropdown(options=unit_choices(rec, self.feature, "h"), description=_("unit"))
        self.sequence = widgets.IntSlider(value=0, min=0, max=len(self.texts) - 1, description=_("string"))
        self.image = widgets.Image(format="png")
        self.view: dict = {}
        super().__init__([widgets.HBox([self.quantity, self.unit, self.sequence]), self.image])
        self.quantity.observe(self._new_quantity, names="value")
        self.sequence.observe(self._redraw, names="value")
        self.unit.observe(self._redraw, names="value")
        self._redraw()

    def _new_quantity(self, _change=None):
        keep = self.unit.value                # the same unit number, re-ranked for the new quantity
        self.unit.unobserve(self._redraw, names="value")
        try:
            self.unit.options = unit_choices(self.rec, self.feature, self.quantity.value)
            self.unit.value = keep
        finally:
            self.unit.observe(self._redraw, names="value")
        self._redraw()

    def _redraw(self, _change=None):
        self.view = explorer_view(self.rec, self.texts, self.feature, self.sequence.value, self.unit.value,
                                  self.quantity.value)
        fig, _drawn = draw_view(self.view, self.feature_name)
        self.image.value = render_png(fig)

    def summary(self) -> str:
        """One line saying what is shown, e.g. "LSTM explorer: 200 strings, 16 units; showing ..."."""
        v = self.view
        return _("LSTM explorer: {strings} strings, {units} units; showing {name} unit {unit} on string {sequence} "
                 "(r = {r:+.2f} with {feature_name})").format(
            strings=len(self.texts), units=self.rec["h"].shape[-1], name=_(NAMES[v["quantity"]]), unit=v["unit"],
            sequence=v["sequence"], r=v["r"], feature_name=self.feature_name)

    def __repr__(self):
        return self.summary()


def explorer(rec: dict[str, np.ndarray], texts: list[str], feature: np.ndarray, feature_name: str | None = None) -> Explorer:
    """An interactive view of a recording: dropdowns for quantity and unit, a slider for the string.

    rec: {quantity: (B, T, U)} from lstmlab.interpret.record (or models.record_torch); texts: B strings of T characters;
    feature: (B, T) the feature the units are ranked by (e.g. the depth); feature_name: how to call it (default
    "depth", in the lesson's language).
    Returns an Explorer (an ipywidgets VBox); make it a cell's last line to show it.
    """
    return Explorer(rec, texts, feature, feature_name)
