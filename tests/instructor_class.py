"""A generated class of lesson 01 for the instructor's view (tests/test_instructor_view.py).

30 students. Most write each exercise "the common way" (one typical student version per exercise, not
the reference's); the others differ from it by a planted mistake (a small edit of the common way, as
when several students make the same slip), or by an alternative of their own from the bank (each used
by one student only). Planted on top:

- two copied pairs: pair1_b and pair2_b copy pair1_a's and pair2_a's answers with the local variables
  renamed, the comments changed and the lines re-indented; pair 2 copies a wrong lstm_forward too;
- ref_copy hands in the published reference solution.

PLANTED[exercise] = [(bank fragment of the diagnosis, students)]: the mistakes the report must count.
"""
from __future__ import annotations

import io
import keyword
import re
import tokenize

from banks import bank_01_lstm_cell as bank

LESSON = "01_lstm_cell"

COMMON = {
    "lstm_gates": '''
def lstm_gates(x, h_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    return sigmoid(a[:, :H]), sigmoid(a[:, H:2*H]), np.tanh(a[:, 2*H:3*H]), sigmoid(a[:, 3*H:])
''',
    "lstm_cell_update": '''
def lstm_cell_update(c_prev, i, f, g, o):
    c = f * c_prev + i * g
    return c, o * np.tanh(c)
''',
    # lstm_step: the common way is the reference's own (everybody writes it so).
    "lstm_step": '''
def lstm_step(x, h_prev, c_prev, Wx, Wh, b):
    i, f, g, o = lstm_gates(x, h_prev, Wx, Wh, b)
    c, h = lstm_cell_update(c_prev, i, f, g, o)
    return h, c
''',
    "lstm_forward": '''
def lstm_forward(X, h0, c0, Wx, Wh, b):
    h, c, outs = h0, c0, []
    for t in range(X.shape[1]):
        h, c = lstm_step(X[:, t], h, c, Wx, Wh, b)
        outs.append(h)
    return np.stack(outs, axis=1), (h, c)
''',
    "lstm_param_count": '''
def lstm_param_count(input_size, hidden_size, bias_vectors=1):
    return 4 * (hidden_size * input_size + hidden_size ** 2 + bias_vectors * hidden_size)
''',
}

# Planted mistakes: small edits of the common way (old, new), as several students make them.
SLIPS = {
    "missing bias": ("lstm_gates", "a = x @ Wx + h_prev @ Wh + b", "a = x @ Wx + h_prev @ Wh"),
    "swapped i and f": ("lstm_gates", "return sigmoid(a[:, :H]), sigmoid(a[:, H:2*H])",
                        "return sigmoid(a[:, H:2*H]), sigmoid(a[:, :H])"),
    "returns (h, c)": ("lstm_cell_update", "return c, o * np.tanh(c)", "return o * np.tanh(c), c"),
    "bias forgotten": ("lstm_param_count", " + bias_vectors * hidden_size)", ")"),
    "starts from zeros": ("lstm_forward", "h, c, outs = h0, c0, []", "h, c, outs = np.zeros_like(h0), np.zeros_like(c0), []"),
}
FRAGMENT = {   # what the diagnosis of each slip says (the bank's fragments)
    "missing bias": "missing the bias b",
    "swapped i and f": "wrong order: (f, i, g, o) instead of (i, f, g, o)",
    "returns (h, c)": "wrong order: (h, c) instead of (c, h)",
    "bias forgotten": "left out the bias",
    "starts from zeros": "starts from zeros instead of h0 and c0",
}


def right(exercise: str, name: str) -> str:
    return dict(bank.RIGHT[exercise])[name]


def wrong(exercise: str, name: str) -> str:
    return next(src for n, src, _ in bank.WRONG[exercise] if n == name)


def slip(name: str) -> tuple[str, str]:
    exercise, old, new = SLIPS[name]
    assert old in COMMON[exercise], name
    return exercise, COMMON[exercise].replace(old, new)


def rename(source: str, names: dict[str, str]) -> str:
    """The source with local names renamed (tokens, not text: attributes and strings stay)."""
    out, prev = [], None
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.NAME and tok.string in names and not keyword.iskeyword(tok.string) \
                and not (prev is not None and prev.string == "."):
            tok = tok._replace(string=names[tok.string])
        out.append(tok)
        if tok.type not in (tokenize.NL, tokenize.COMMENT):
            prev = tok
    return tokenize.untokenize(out)


def disguise(source: str, names: dict[str, str]) -> str:
    """A copy as a student hides one: renamed locals, a comment of their own, two-space indents."""
    lines = [re.sub(r"^( +)", lambda m: " " * (len(m.group(1)) // 2), ln)
             for ln in rename(source, names).strip("\n").splitlines()]
    return "# my own work\n" + "\n".join(lines[:1] + ["  # compute it step by step"] + lines[1:]) + "\n"


RENAMES = {"a": "pre", "H": "n_hidden", "c": "cell", "h": "hid", "outs": "collected", "t": "step_idx",
           "blocks": "parts", "s": "cols", "k": "gate_no", "act": "fn", "Wx_k": "wx_part", "Wh_k": "wh_part",
           "b_k": "bias_part", "Hs": "outputs_all", "total": "count", "gate": "letter", "hx": "stacked",
           "W": "weights", "first": "initial", "B": "n_batch", "T": "n_steps"}

# Each independent student: their answers other than the common way ({exercise: source}).
OWN = {
    # alternatives of their own (each used once)
    "alt_gates_f32": {"lstm_gates": right("lstm_gates", "float32 throughout, piecewise-stable sigmoid, terms in another order")},
    "alt_gates_logaddexp": {"lstm_gates": right("lstm_gates", "logaddexp sigmoid, pre-activations clipped at +-30")},
    "alt_gates_einsum": {"lstm_gates": right("lstm_gates", "own sigmoid with np.exp, einsum"),
                         "lstm_cell_update": right("lstm_cell_update", "numpy ufuncs")},
    "alt_gates_loop": {"lstm_gates": right("lstm_gates", "per-example loop")},
    "alt_cell_tanh": {"lstm_cell_update": right("lstm_cell_update", "tanh as 2 / (1 + exp(-2c)) - 1, which saturates cleanly")},
    "alt_cell_out": {"lstm_cell_update": right("lstm_cell_update", "float32 kept, np.multiply with out="),
                     "lstm_param_count": right("lstm_param_count", "math.prod over the layout's shapes")},
    "alt_step_inline": {"lstm_step": right("lstm_step", "everything inline")},
    "alt_step_list": {"lstm_step": right("lstm_step", "returns a list"),
                      "lstm_forward": right("lstm_forward", "recursion over time")},
    "alt_forward_proj": {"lstm_forward": right("lstm_forward", "input projections of all steps at once")},
    "alt_forward_seq": {"lstm_forward": right("lstm_forward", "one sequence at a time, float64 inside")},
    "alt_param_matrix": {"lstm_param_count": right("lstm_param_count", "one (H + D) x 4H matrix plus biases")},
    # mistakes of their own (each made once)
    "own_tanh_forget": {"lstm_gates": wrong("lstm_gates", "tanh for the forget gate")},
    "own_squashed": {"lstm_cell_update": wrong("lstm_cell_update", "cell state squashed")},
    "own_gru_blocks": {"lstm_param_count": wrong("lstm_param_count", "GRU's three blocks")},
    # planted slips (see PLANTED)
    "slip_bias_1": dict([slip("missing bias")]),
    "slip_bias_2": dict([slip("missing bias"), slip("bias forgotten")]),
    "slip_bias_3": dict([slip("missing bias")]),
    "slip_bias_4": dict([slip("missing bias"), slip("returns (h, c)")]),
    "slip_swap_1": dict([slip("swapped i and f")]),
    "slip_swap_2": dict([slip("swapped i and f"), slip("bias forgotten")]),
    "slip_swap_3": dict([slip("swapped i and f")]),
    "slip_hc_1": dict([slip("returns (h, c)")]),
    "slip_hc_2": dict([slip("returns (h, c)"), slip("bias forgotten")]),
    "slip_zeros_1": dict([slip("starts from zeros"), slip("bias forgotten")]),
    "slip_zeros_2": dict([slip("starts from zeros")]),
    "common": {},
}

PAIR1 = {"lstm_gates": right("lstm_gates", "separate gate matrices"),
         "lstm_cell_update": right("lstm_cell_update", "in place on a copy"),
         "lstm_forward": right("lstm_forward", "preallocated output"),
         "lstm_param_count": right("lstm_param_count", "gate by gate")}
PAIR2 = {"lstm_gates": right("lstm_gates", "concatenated [h, x] as in the chapter"),
         "lstm_step": right("lstm_step", "gates one by one from lstm_gates, update written out"),
         "lstm_forward": wrong("lstm_forward", "final state after the first step")}


def class_answers(reference: dict[str, str]) -> dict[str, dict[str, str]]:
    """student -> {solution_id: source} for every solution cell (the common way where not given)."""
    students = {name: {**COMMON, **own} for name, own in OWN.items()}
    students["pair1_a"] = {**COMMON, **PAIR1}
    students["pair1_b"] = {ex: disguise(src, RENAMES) for ex, src in students["pair1_a"].items()}
    students["pair2_a"] = {**COMMON, **PAIR2}
    students["pair2_b"] = {ex: disguise(src, RENAMES) for ex, src in students["pair2_a"].items()}
    students["ref_copy"] = dict(reference)
    return students


def planted() -> dict[str, list[tuple[str, set[str]]]]:
    """exercise test id -> [(diagnosis fragment, the students who must have it)]."""
    out: dict[str, list[tuple[str, set[str]]]] = {}
    for name, (exercise, _, _) in SLIPS.items():
        who = {s for s, own in OWN.items() if own.get(exercise) == slip(name)[1]}
        out.setdefault(f"test_{exercise}", []).append((FRAGMENT[name], who))
    out["test_lstm_forward"].append(("after the first step", {"pair2_a", "pair2_b"}))
    return out


COPIED_PAIRS = {("pair1_a", "pair1_b"), ("pair2_a", "pair2_b")}
REFERENCE_COPIES = {"ref_copy"}


# --- notebooks -------------------------------------------------------------------------------------

def _course():
    from conftest import COURSE

    return COURSE


def reference_answers() -> dict[str, str]:
    import nbformat

    from lstmlab.tooling.grading.notebook import nbgrader_meta

    nb = nbformat.read(_course().solutions / f"{LESSON}.ipynb", as_version=4)
    return {nbgrader_meta(c)["grade_id"]: c.source for c in nb.cells if nbgrader_meta(c).get("solution")}


def notebook_with(answers: dict[str, str]) -> str:
    """The released lesson 01 with these answer cells filled in (the others left as given)."""
    import nbformat

    from lstmlab.tooling.grading.notebook import nbgrader_meta

    nb = nbformat.read(_course().lessons / f"{LESSON}.ipynb", as_version=4)
    for cell in nb.cells:
        gid = nbgrader_meta(cell).get("grade_id")
        if nbgrader_meta(cell).get("solution") and gid in answers:
            cell.source = answers[gid]
    return nbformat.writes(nb)


def write_class(folder, students: dict[str, dict[str, str]]) -> None:
    for student, answers in students.items():
        (folder / student).mkdir(parents=True, exist_ok=True)
        (folder / student / f"{LESSON}.ipynb").write_text(notebook_with(answers), encoding="utf-8")


# --- reading the pages back --------------------------------------------------------------------------

class Page:
    """An HTML page parsed for tests: every start tag with its attributes, and the text."""

    def __init__(self, text: str):
        from html.parser import HTMLParser

        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text_parts: list[str] = []
        page = self

        class Parser(HTMLParser):
            def handle_starttag(self, tag, attrs):
                page.tags.append((tag, {k: v or "" for k, v in attrs}))

            def handle_startendtag(self, tag, attrs):
                self.handle_starttag(tag, attrs)

            def handle_data(self, data):
                page.text_parts.append(data)

        Parser(convert_charrefs=True).feed(text)
        self.text = "".join(self.text_parts)

    def all(self, tag: str, **attrs) -> list[dict[str, str]]:
        """The attributes of every `tag` with these attributes (class_="x" for class, data_a for data-a)."""
        want = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in want.items())]

    def inert(self) -> list[str]:
        """What in the page could run script (empty when nothing can)."""
        bad = []
        for tag, attrs in self.tags:
            if tag in ("script", "iframe", "object", "embed", "svg", "math", "base", "form", "meta") and not (
                    tag == "meta" and set(attrs) == {"charset"}):
                bad.append(f"<{tag}>")
            for k, v in attrs.items():
                if k.startswith("on"):
                    bad.append(f"<{tag} {k}=...>")
                if k in ("href", "src", "action", "formaction") and v.strip().lower().startswith(("javascript:", "data:text")):
                    bad.append(f"<{tag} {k}={v[:40]}>")
                if tag == "img" and k == "src" and not v.startswith("data:image/png;base64,"):
                    bad.append(f"<img src={v[:40]}>")
        return bad
