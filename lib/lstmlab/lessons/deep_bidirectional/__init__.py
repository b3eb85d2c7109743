"""Lesson room: deep_bidirectional."""
