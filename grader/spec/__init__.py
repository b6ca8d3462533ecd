"""Exercise specs: the declarative description of each exercise, validated by pydantic
(``catalog``, ``models``, ``params``, ``loader``), where they come from (``packs``), and the
student's folder (``folders``). Nothing is imported here: the command line reads
``folders`` and ``packs`` before pydantic is needed."""
