"""What every lesson's checks are made of (the lesson's own checks live in its room, lstmlab.lessons.<lesson>.checks).

    diagnosis.py  CheckFailed and comparisons that name the mistake (assert_close, assert_ndarray, assert_number, assert_order, unpack, tolerances)
    guard.py      the from-scratch guard: calling a ready implementation is detected under any name
    harness.py    call_student: the one way a check calls a student's function (inputs copied,
                  in-place changes detected, warnings never decide, the guard in hidden tests);
                  student_facing: a room's checks show a student's exception with the student's
                  frames only, and an unanswered exercise as one line
"""
from .diagnosis import CheckFailed, NotAnswered, as_array, assert_close, assert_int, assert_ndarray, assert_number, assert_order, is_torch_tensor, matches, passed, tolerances, unpack
from .guard import assert_from_scratch, ready_made_guard, reference_functions, torch_softmax_and_attention
from .harness import call_student, student_facing, student_traceback

__all__ = ["CheckFailed", "NotAnswered", "as_array", "assert_close", "assert_int", "assert_ndarray", "assert_number", "assert_order", "assert_from_scratch", "call_student", "is_torch_tensor", "matches",
           "passed", "ready_made_guard", "reference_functions", "student_facing", "student_traceback", "tolerances", "torch_softmax_and_attention", "unpack"]
