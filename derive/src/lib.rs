//! Derive macros for `bptree` (re-exported by `bptree` under its `derive`
//! feature). The `TreeConfig` derive arrives with the named-configuration
//! work; this crate is its home.
