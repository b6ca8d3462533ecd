"""Running the check modules with pytest, in-process and isolated from the student's folder."""
