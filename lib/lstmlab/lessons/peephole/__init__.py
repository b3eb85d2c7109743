"""Lesson room: peephole."""
