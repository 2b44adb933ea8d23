"""The tools built on the checker: lint, coverage, explain, the examples and scenario runners and the
pytest plugin (the strategies and the witness search for property tests are ``partyrules.testing``,
on the same floor).

They sit on the floor above ``api`` and use only public names of the floors below
(docs/architecture.md; tests/test_layers.py holds them to it), so the check path never
depends on them.
"""
