"""Lesson room: gru."""
