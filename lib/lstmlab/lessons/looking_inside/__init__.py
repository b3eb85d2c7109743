"""Lesson room: looking_inside."""
