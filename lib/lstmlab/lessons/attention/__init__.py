"""Lesson room: attention."""
