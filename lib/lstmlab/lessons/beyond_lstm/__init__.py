"""Lesson room: beyond_lstm."""
