"""Lesson room: applications."""
