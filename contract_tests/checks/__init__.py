"""The clause tests: one test (or a few parametrisations) per clause id, run by the kit's
pytest plugin (``contract_tests.plugin``), which supplies the ``target`` fixture."""
