"""Lesson room: training_stability."""
