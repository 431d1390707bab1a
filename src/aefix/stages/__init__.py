"""Pipeline stages: small pure functions over arrays and the shared Settings; no I/O, no printing."""
