"""Lesson room: lstm_cell."""
