"""``docker-grade watch``: grade again whenever the engine or the student's folder changes.

Triggers (engine events, file changes, a timer) feed one queue; the watcher grades the
exercises they concern, in the main thread, and hands each update to a view.
"""
