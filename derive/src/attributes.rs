//! Parsing `#[tree(..)]`: every key at most once, every value of the kind
//! its key takes (`counts` is a flag: bare, `= true` or `= false`),
//! `capacity` present and, when it is a literal, in range.
//!
//! Errors point at the key or value at fault and say what is allowed there.
//! The capacity bounds are mirrored from `bptree::policy::{MIN_CAP,
//! MAX_CAP}` (a proc-macro crate cannot depend on the crate it serves); the
//! bptree tests derive configurations at both bounds and the UI tests pin
//! the errors just outside them, so the two cannot drift apart unnoticed.

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Expr, ExprLit, Ident, Lit, LitBool, LitStr, Path, Token, Type};

/// `bptree::policy::MIN_CAP`.
pub const MIN_CAP: u128 = 4;
/// `bptree::policy::MAX_CAP`.
pub const MAX_CAP: u128 = 4096;

/// The keys `#[tree(..)]` accepts, for the "unknown key" error.
const KEYS: &str = "`handle`, `arena`, `storage`, `counts`, `capacity`, `alias`, `name`, \
                    `description`, `crate`";

const HANDLE: &str = "`handle` takes a handle type: `Compact16` (16-bit), `Wide32` (32-bit, the default) or `Adaptive` (16-bit, 32-bit once the tree outgrows them)";
const ARENA: &str = "`arena` takes an arena strategy: `VecArena`, `PoolArena` or `MaskedArena`, \
                     optionally with its storage, as in `PoolArena<Boxed>`, and wrapped in `Indirect<..>` \
                     (the default is `Indirect<VecArena>`) or `Counted<..>`";
const STORAGE: &str =
    "`storage` takes a node storage policy: `Inline` (the default), `Boxed` or `Growing`";
const COUNTS: &str = "`counts` is a flag: `counts` (or `counts = true`) makes the arena `Counted<..>`, \
                      whose branches count the entries below each child for `get_index` and `rank`; \
                      `counts = false` is the default";
const CAPACITY: &str = "`capacity` takes the entries per node: a `usize` constant from 4 \
                        (`bptree::policy::MIN_CAP`) to 4096 (`bptree::policy::MAX_CAP`), as in `capacity = 32`";
const ALIAS: &str = "`alias` takes an identifier: `alias = Embedded` declares `type Embedded<K, V>` \
                     (the map) and `type EmbeddedSet<T>` (the set)";
const NAME: &str =
    "`name` takes a string literal: the name in reports, as in `name = \"embedded\"`";
const DESCRIPTION: &str = "`description` takes a string literal: one line for reports, as in `description = \"small and slow\"`";
const CRATE: &str = "`crate` takes the path to bptree, as in `crate = ::my_reexports::bptree`";

/// Everything `#[tree(..)]` said; `None` for a key it did not mention.
#[derive(Default)]
pub struct Attributes {
    pub handle: Option<Type>,
    pub arena: Option<Type>,
    pub storage: Option<Type>,
    pub counts: Option<Counts>,
    pub capacity: Option<Capacity>,
    pub alias: Option<Ident>,
    pub name: Option<LitStr>,
    pub description: Option<LitStr>,
    pub krate: Option<Path>,
}

/// The `counts` flag: whether to wrap the arena in `Counted<..>`, and the
/// key, for errors about it.
pub struct Counts {
    pub on: bool,
    pub key: Path,
}

/// The `capacity` value: a literal (checked here, while parsing) or any
/// other constant expression (checked by a `const` assertion in the output).
pub enum Capacity {
    Literal(ExprLit, u128),
    Expr(Expr),
}

impl Attributes {
    /// Parses every `#[tree(..)]` among `attrs` (they may be split over
    /// several attributes; each key still appears at most once in all).
    /// `missing_span` is where to report a missing `capacity` when there is
    /// no `#[tree]` attribute to point at.
    pub fn parse(attrs: &[Attribute], missing_span: Span) -> syn::Result<Self> {
        let mut out = Attributes::default();
        let mut last_tree = None;
        for attr in attrs.iter().filter(|a| a.path().is_ident("tree")) {
            attr.parse_nested_meta(|meta| out.parse_key(&meta))?;
            last_tree = Some(attr);
        }
        if out.capacity.is_none() {
            let message = "missing `capacity`: a configuration must say how many entries a node \
                           holds, as in `#[tree(capacity = 32)]`, from 4 (`bptree::policy::MIN_CAP`) \
                           to 4096 (`bptree::policy::MAX_CAP`)";
            return Err(match last_tree {
                Some(attr) => syn::Error::new_spanned(attr, message),
                None => syn::Error::new(missing_span, message),
            });
        }
        Ok(out)
    }

    fn parse_key(&mut self, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
        let path = &meta.path;
        if path.is_ident("handle") {
            let v = value::<Type>(meta, "handle", HANDLE)?;
            set(&mut self.handle, v, meta, "handle")
        } else if path.is_ident("arena") {
            let v = value::<Type>(meta, "arena", ARENA)?;
            set(&mut self.arena, v, meta, "arena")
        } else if path.is_ident("storage") {
            let v = value::<Type>(meta, "storage", STORAGE)?;
            set(&mut self.storage, v, meta, "storage")
        } else if path.is_ident("counts") {
            let v = flag(meta, "counts", COUNTS)?;
            let v = Counts {
                on: v,
                key: path.clone(),
            };
            set(&mut self.counts, v, meta, "counts")
        } else if path.is_ident("capacity") {
            let v = value::<Expr>(meta, "capacity", CAPACITY).and_then(capacity)?;
            set(&mut self.capacity, v, meta, "capacity")
        } else if path.is_ident("alias") {
            let v = value::<Ident>(meta, "alias", ALIAS)?;
            set(&mut self.alias, v, meta, "alias")
        } else if path.is_ident("name") {
            let v = value::<LitStr>(meta, "name", NAME)?;
            set(&mut self.name, v, meta, "name")
        } else if path.is_ident("description") {
            let v = value::<LitStr>(meta, "description", DESCRIPTION)?;
            set(&mut self.description, v, meta, "description")
        } else if path.is_ident("crate") {
            let v = value::<Path>(meta, "crate", CRATE)?;
            set(&mut self.krate, v, meta, "crate")
        } else {
            let key = quote::ToTokens::to_token_stream(path).to_string();
            Err(meta.error(format_args!(
                "unknown key `{}` in `#[tree(..)]`: expected one of {KEYS}",
                key.replace(' ', "")
            )))
        }
    }
}

/// Stores `v` in `slot`, or reports `key` as a duplicate at its second use.
fn set<T>(slot: &mut Option<T>, v: T, meta: &ParseNestedMeta<'_>, key: &str) -> syn::Result<()> {
    if slot.is_some() {
        return Err(syn::Error::new_spanned(
            &meta.path,
            format_args!("duplicate key `{key}`: each key of `#[tree(..)]` may appear once"),
        ));
    }
    *slot = Some(v);
    Ok(())
}

/// Parses `= value` after a key, replacing syn's generic messages with
/// `help`, which says what the key takes.
fn value<T: Parse>(meta: &ParseNestedMeta<'_>, key: &str, help: &str) -> syn::Result<T> {
    if !meta.input.peek(Token![=]) {
        return Err(syn::Error::new_spanned(
            &meta.path,
            format_args!("`{key}` needs a value: {help}"),
        ));
    }
    let input: ParseStream<'_> = meta.value()?;
    let start = input.span();
    let parsed = input
        .parse::<T>()
        .map_err(|_| syn::Error::new(start, help))?;
    if !(input.is_empty() || input.peek(Token![,])) {
        return Err(input.error(help));
    }
    Ok(parsed)
}

/// Parses a flag: the bare key (on), `= true` or `= false`; anything else
/// is an error saying `help`.
fn flag(meta: &ParseNestedMeta<'_>, key: &str, help: &str) -> syn::Result<bool> {
    if meta.input.is_empty() || meta.input.peek(Token![,]) {
        return Ok(true);
    }
    if !meta.input.peek(Token![=]) {
        // `counts(..)`, `counts true`: point at the whole of what follows.
        let rest: proc_macro2::TokenTree = meta.input.fork().parse()?;
        return Err(syn::Error::new_spanned(rest, help));
    }
    value::<LitBool>(meta, key, help).map(|b| b.value)
}

/// Classifies the capacity and range-checks a literal one.
fn capacity(expr: Expr) -> syn::Result<Capacity> {
    let Expr::Lit(lit) = expr else {
        return Ok(Capacity::Expr(expr));
    };
    let Lit::Int(int) = &lit.lit else {
        return Err(syn::Error::new_spanned(&lit, CAPACITY));
    };
    if !matches!(int.suffix(), "" | "usize") {
        return Err(syn::Error::new_spanned(&lit, CAPACITY));
    }
    let n = int
        .base10_parse::<u128>()
        .map_err(|_| syn::Error::new_spanned(&lit, CAPACITY))?;
    if n < MIN_CAP {
        return Err(syn::Error::new_spanned(
            &lit,
            format_args!(
                "capacity {n} is below the minimum, {MIN_CAP} (`bptree::policy::MIN_CAP`): a node \
                 that splits or merges could not leave both halves half full; use 4 to 4096"
            ),
        ));
    }
    if n > MAX_CAP {
        return Err(syn::Error::new_spanned(
            &lit,
            format_args!(
                "capacity {n} is above the maximum, {MAX_CAP} (`bptree::policy::MAX_CAP`): node \
                 lengths are stored as `u16`; use 4 to 4096"
            ),
        ));
    }
    Ok(Capacity::Literal(lit, n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::{DeriveInput, parse_quote};

    fn parse(input: DeriveInput) -> syn::Result<Attributes> {
        Attributes::parse(&input.attrs, Span::call_site())
    }

    fn error(input: DeriveInput) -> String {
        match parse(input) {
            Ok(_) => panic!("expected an error"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn every_key_once_over_several_attributes() {
        let attrs = parse(parse_quote! {
            #[tree(capacity = 32, handle = Compact16)]
            #[doc = "ignored"]
            #[tree(arena = PoolArena, storage = Boxed, alias = Small, crate = crate)]
            #[tree(name = "small", counts, description = "one line",)]
            struct S;
        })
        .unwrap();
        assert!(attrs.counts.unwrap().on);
        assert!(matches!(attrs.capacity, Some(Capacity::Literal(_, 32))));
        assert!(attrs.handle.is_some() && attrs.arena.is_some() && attrs.storage.is_some());
        assert_eq!(attrs.alias.unwrap(), "Small");
        assert_eq!(attrs.name.unwrap().value(), "small");
        assert_eq!(attrs.description.unwrap().value(), "one line");
        assert!(attrs.krate.unwrap().is_ident("crate"));
    }

    #[test]
    fn counts_is_a_flag() {
        let counts = |input: DeriveInput| parse(input).map(|a| a.counts.map(|c| c.on));
        assert!(matches!(
            counts(parse_quote!(
                #[tree(capacity = 8)]
                struct S;
            )),
            Ok(None)
        ));
        for on in [
            parse_quote!(
                #[tree(counts, capacity = 8)]
                struct S;
            ),
            parse_quote!(
                #[tree(capacity = 8, counts)]
                struct S;
            ),
            parse_quote!(
                #[tree(capacity = 8, counts = true)]
                struct S;
            ),
        ] {
            assert!(matches!(counts(on), Ok(Some(true))));
        }
        assert!(matches!(
            counts(parse_quote!(
                #[tree(counts = false, capacity = 8)]
                struct S;
            )),
            Ok(Some(false))
        ));
        for bad in [
            parse_quote!(
                #[tree(counts = 3, capacity = 8)]
                struct S;
            ),
            parse_quote!(
                #[tree(counts = "true", capacity = 8)]
                struct S;
            ),
            parse_quote!(
                #[tree(counts = yes, capacity = 8)]
                struct S;
            ),
            parse_quote!(
                #[tree(counts(true), capacity = 8)]
                struct S;
            ),
            parse_quote!(
                #[tree(counts = true false, capacity = 8)]
                struct S;
            ),
        ] {
            assert_eq!(error(bad), COUNTS);
        }
        assert_eq!(
            error(parse_quote!(
                #[tree(counts, capacity = 8)]
                #[tree(counts = false)]
                struct S;
            )),
            "duplicate key `counts`: each key of `#[tree(..)]` may appear once"
        );
    }

    #[test]
    fn capacity_kinds_and_bounds() {
        let at = |cap: Expr| {
            let input: DeriveInput = parse_quote!(
                #[tree(capacity = #cap)]
                struct S;
            );
            parse(input).map(|a| a.capacity.unwrap())
        };
        assert!(matches!(at(parse_quote!(4)), Ok(Capacity::Literal(_, 4))));
        assert!(matches!(
            at(parse_quote!(4096usize)),
            Ok(Capacity::Literal(_, 4096))
        ));
        assert!(matches!(at(parse_quote!(N)), Ok(Capacity::Expr(_))));
        assert!(matches!(at(parse_quote!(2 * N)), Ok(Capacity::Expr(_))));
        for bad in [
            parse_quote!(3),
            parse_quote!(4097),
            parse_quote!(0),
            parse_quote!(32u8),
            parse_quote!("32"),
        ] {
            assert!(at(bad).is_err());
        }
    }

    #[test]
    fn errors_say_what_is_allowed() {
        assert!(
            error(parse_quote!(
                struct S;
            ))
            .starts_with("missing `capacity`")
        );
        assert!(
            error(parse_quote!(
                #[tree(handle = Wide32)]
                struct S;
            ))
            .starts_with("missing `capacity`")
        );
        assert!(
            error(parse_quote!(
                #[tree(capacity = 8, size = 8)]
                struct S;
            ))
            .starts_with("unknown key `size` in `#[tree(..)]`: expected one of `handle`")
        );
        assert!(
            error(parse_quote!(
                #[tree(capacity = 8, count)]
                struct S;
            ))
            .contains("`storage`, `counts`, `capacity`")
        );
        assert_eq!(
            error(parse_quote!(
                #[tree(capacity = 8)]
                #[tree(capacity = 8)]
                struct S;
            )),
            "duplicate key `capacity`: each key of `#[tree(..)]` may appear once"
        );
        assert_eq!(
            error(parse_quote!(
                #[tree(handle = 16, capacity = 8)]
                struct S;
            )),
            HANDLE
        );
        assert_eq!(
            error(parse_quote!(
                #[tree(capacity = 8, storage = 1)]
                struct S;
            )),
            STORAGE
        );
        assert_eq!(
            error(parse_quote!(
                #[tree(capacity = 8, crate = "x")]
                struct S;
            )),
            CRATE
        );
        assert_eq!(
            error(parse_quote!(
                #[tree(capacity = 8, description = x)]
                struct S;
            )),
            DESCRIPTION
        );
        assert!(
            error(parse_quote!(
                #[tree(alias, capacity = 8)]
                struct S;
            ))
            .starts_with("`alias` needs a value")
        );
        assert!(
            error(parse_quote!(
                #[tree(capacity = 2)]
                struct S;
            ))
            .starts_with("capacity 2 is below the minimum, 4")
        );
        assert!(
            error(parse_quote!(
                #[tree(capacity = 5000)]
                struct S;
            ))
            .starts_with("capacity 5000 is above the maximum, 4096")
        );
    }
}
