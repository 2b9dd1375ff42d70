//! Workspace root package: it owns the top-level examples/, tests/ and benches/ and ships no code of its own.
