"""Files a student hands in besides the engine's state: Dockerfiles, image archives written by
``docker save``, pages."""
