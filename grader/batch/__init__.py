"""Grading a whole class: a roster of students' engines, graded concurrently, and what an
instructor and an LMS read afterwards (per-student reports, a gradebook, a class summary)."""
