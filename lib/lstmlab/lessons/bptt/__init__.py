"""Lesson room: bptt."""
