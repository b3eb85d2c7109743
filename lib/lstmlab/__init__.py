"""lstmlab: the support library of the LSTM course (reference cells, bridges, checks, tasks, tooling)."""
__version__ = "0.1.0"
