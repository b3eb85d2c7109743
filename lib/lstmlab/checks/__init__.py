"""Student-facing checks: each lesson's module raises CheckFailed with a diagnosis."""
from .core import CheckFailed, assert_close, assert_from_scratch, ready_made_guard

__all__ = ["CheckFailed", "assert_close", "assert_from_scratch", "ready_made_guard"]
