"""The class server (``docker-grade serve``): students' ``watch --class`` send their gradings,
the instructor's board shows the whole class live. The contract: docs/class-server.md."""
