//! Derive macros for `bptree`, re-exported by `bptree` as
//! `bptree::TreeConfig` (trait and derive under one name, as serde does).
//!
//! This crate holds only the macro entry points and their expansion; the
//! trait, its documentation and the tests of the derive (including the
//! trybuild UI tests of every error) live in the `bptree` crate, which is
//! the only place the expansion can be compiled. Read the documentation of
//! `bptree::TreeConfig` for the attribute keys.
//!
//! * `attributes` parses `#[tree(..)]` and reports every
//!   mistake at the key or value that caused it, saying what is allowed;
//! * `tree_config` turns the parsed attribute into the
//!   `TreeConfig` impl, the capacity check and the optional aliases.

#![forbid(unsafe_code)]

mod attributes;
mod tree_config;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Implements `bptree::TreeConfig` for a marker type, from a
/// `#[tree(handle = .., arena = .., storage = .., counts, capacity = .., ..)]`
/// attribute. Documented on the trait, `bptree::TreeConfig`.
#[proc_macro_derive(TreeConfig, attributes(tree))]
pub fn derive_tree_config(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    tree_config::derive(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
