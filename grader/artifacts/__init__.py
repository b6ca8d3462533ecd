"""Files a student hands in besides the engine's state: image archives written by ``docker save``."""
