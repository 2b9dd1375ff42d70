//! Testing helpers. (being written)
