"""Grade files an LMS imports, made from the folder ``docker-grade batch`` wrote: Canvas's own
gradebook export with one assignment filled in, and Moodle's CSV grade import."""
