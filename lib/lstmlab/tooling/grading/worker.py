"""The untrusted side: runs one submission's code and answers the judge's requests.

Started by lstmlab.tooling.grading.sandbox inside the isolation it sets up, with the channel's file
descriptors in LSTMLAB_WIRE="<read fd>,<write fd>". It never sees test cells, hidden tests,
the source notebook, other submissions or the gradebook: the judge sends it the notebook's
setup cells and the student's answers, then asks it to call the student's functions, and
judges the returned values in its own process. Whatever the student's code changes here
(numpy, builtins, the check helpers) cannot change a verdict.

Requests (JSON, see wire.py) and replies:
    {"op": "exec", "source", "label"}           -> {"ok": true} | {"error": "..."}
    {"op": "names"}                             -> {"names": {name: {"kind", "value"?}}}
    {"op": "call", "name", "args", "kwargs", "guard", "defaults"} -> {"result", "after", "ready_made"} | {"error"}
      during a call the worker may send {"op": "callback", "id", "args", "sync"} and waits for
      {"op": "callback_result", "result"} | {"op": "callback_error", "error"}
    {"op": "quit"}
"""
from __future__ import annotations

import io
import os
import sys
import traceback

from lstmlab.checking.harness import is_machinery

OUTPUT_LIMIT = 20_000  # characters of student output kept per request; the rest is dropped


class CappedText(io.TextIOBase):
    """A stdout/stderr replacement that keeps at most OUTPUT_LIMIT characters."""

    def __init__(self):
        self.parts, self.size = [], 0

    def writable(self):
        return True

    def write(self, s):
        s = str(s)
        if self.size < OUTPUT_LIMIT:
            self.parts.append(s[: OUTPUT_LIMIT - self.size])
        self.size += len(s)
        return len(s)

    def take(self) -> str:
        text = "".join(self.parts)
        if self.size > OUTPUT_LIMIT:
            text += f"\n... [{self.size - OUTPUT_LIMIT} more characters of output dropped]"
        self.parts, self.size = [], 0
        return text


class _IPythonStub:
    """Answers get_ipython() in a plain interpreter: magics are accepted and do nothing."""

    def run_line_magic(self, *args, **kwargs):
        return None

    def run_cell_magic(self, *args, **kwargs):
        return None

    def system(self, *args, **kwargs):
        return None

    getoutput = system


def _format_error(exc: BaseException) -> str:
    """The student's exception, with the traceback limited to their own code: frames of the grading
    machinery (this worker, the checking helpers, the lessons' checks) are dropped, each with its
    source line, as in the notebook (lstmlab.checking.harness.is_machinery)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not is_machinery(f.filename)]
    lines = (["Traceback (most recent call last):\n"] if frames else []) + traceback.format_list(frames)[-10:]
    lines += traceback.format_exception_only(type(exc), exc)
    return "".join(lines)[-4000:]


def _remember_source(label: str, source: str) -> None:
    """Let tracebacks show the lines of an answer cell compiled under `label` (as IPython does for a cell)."""
    import linecache

    linecache.cache[label] = (len(source), None, source.splitlines(True), label)


def serve(fd_in: int, fd_out: int, seccomp: bool = False) -> None:
    # Everything the worker relies on is bound here, before any student code runs, so that
    # rebinding module attributes later cannot reach these references.
    from IPython.core.inputtransformer2 import TransformerManager

    from lstmlab.checking import ready_made_guard
    from lstmlab.tooling.grading import wire

    send, receive, encode, decode = wire.send, wire.receive, wire.encode, wire.decode
    transform = TransformerManager().transform_cell
    remember, format_error = _remember_source, _format_error
    namespace: dict = {"__name__": "__main__", "get_ipython": _IPythonStub}
    out = CappedText()
    sys.stdout = sys.stderr = out
    call_stack: list[tuple] = []

    def drop_callable(fn):
        return None  # functions among the arguments are not copied back, only data is

    def resolve_target(spec):
        """(kind, owner path, attribute, label) -> (owner object, attribute, label)."""
        import importlib

        import types

        kind, path, attr, label = spec
        module_name, _, qual = path.partition(":")
        owner = importlib.import_module(module_name)
        for part in filter(None, qual.split(".")):
            owner = getattr(owner, part)
        if kind == "function":  # the innermost function under any decorators
            while hasattr(owner, "__wrapped__"):
                owner = owner.__wrapped__
            return types.SimpleNamespace(fn=owner), "fn", label
        return owner, attr, label

    def make_callback(tag):
        if tag.get("__t") == "remote":  # one of the student's own functions, passed back by name
            return namespace.get(str(tag.get("name")))
        cid = tag["id"]

        def callback(*args, **kwargs):
            sync = encode(call_stack[-1], drop_callable) if call_stack else None
            send(fd_out, {"op": "callback", "id": cid, "args": encode(list(args)), "kwargs": encode(kwargs), "sync": sync})
            return wait_for_callback()

        return callback

    def wait_for_callback():
        while True:
            msg = receive(fd_in)
            op = msg.get("op")
            if op == "callback_result":
                return decode(msg.get("result"), make_callback)
            if op == "callback_error":
                raise RuntimeError(f"the grader's function raised: {msg.get('error')}")
            handle(msg)  # a nested request (e.g. the callback called a student function)

    def handle(msg) -> bool:
        op = msg.get("op")
        if op == "quit":
            return False
        if op == "exec":
            try:
                source, label = transform(str(msg.get("source", ""))), str(msg.get("label", "<answer>"))
                remember(label, source)
                code = compile(source, label, "exec")
                exec(code, namespace)
                reply = {"ok": True}
            except BaseException as exc:  # SystemExit, KeyboardInterrupt included: a cell ends, not the worker
                reply = {"error": format_error(exc), "ename": type(exc).__name__}
            reply["output"] = out.take()
            send(fd_out, reply)
        elif op == "names":
            # The student's top-level functions and small plain values, for the judge's namespace.
            names = {}
            for name, value in list(namespace.items()):
                if name.startswith("_") or isinstance(value, (type, type(sys))):
                    continue
                if callable(value):
                    names[name] = {"kind": "callable"}
                else:
                    try:
                        enc = encode(value)
                        if len(repr(enc)) < 1_000_000:
                            names[name] = {"kind": "value", "value": enc}
                    except Exception:
                        pass
            send(fd_out, {"names": names})
        elif op == "call":
            fn = namespace.get(str(msg.get("name")))
            try:
                args = decode(msg.get("args", []), make_callback)
                kwargs = decode(msg.get("kwargs", {}), make_callback)
                extra = [resolve_target(spec) for spec in msg.get("guard", [])]
                call_stack.append((args, kwargs))
                try:
                    with ready_made_guard(extra, defaults=msg.get("defaults", True) is not False) as called:
                        result = fn(*args, **kwargs)
                finally:
                    call_stack.pop()
                reply = {"result": encode(result), "after": encode([args, kwargs], drop_callable),
                         "ready_made": list(dict.fromkeys(called))}
            except BaseException as exc:
                reply = {"error": format_error(exc), "ename": type(exc).__name__}
            reply["output"] = out.take()
            send(fd_out, reply)
        else:
            send(fd_out, {"error": f"unknown request {op!r}"})
        return True

    send(fd_out, {"ready": True, "pid": os.getpid(), "seccomp": seccomp})
    while True:
        try:
            msg = receive(fd_in)
        except EOFError:
            return
        if not handle(msg):
            return


def main() -> None:
    fd_in, fd_out = (int(x) for x in os.environ["LSTMLAB_WIRE"].split(","))
    os.environ.pop("LSTMLAB_WIRE", None)
    blocked = False
    if os.environ.pop("LSTMLAB_SECCOMP", "") == "1":  # before any student code: no new namespaces
        from lstmlab.tooling.grading import seccomp

        blocked = seccomp.install()
    serve(fd_in, fd_out, blocked)
    os._exit(0)


if __name__ == "__main__":
    main()
