//! The expansion of `#[derive(TreeConfig)]`.
//!
//! For `#[tree(handle = H, arena = A, storage = S, capacity = N)] struct C;`
//! it emits `impl TreeConfig for C` with `Handle = H`, `Arena = A<S>`,
//! `Map<K, V> = BPlusTreeMap<K, V, H, A<S>, N>` and the matching `Set`;
//! a `const` assertion of the capacity bounds when `N` is not a literal
//! (literals are checked while parsing); and, with `alias = Name`, the
//! aliases `Name<K, V> = BPlusTreeMap<K, V, H, A<S>, N>` and `NameSet<T> =
//! BPlusTreeSet<T, H, A<S>, N>`. With `counts`, the arena is
//! `bptree::policy::Counted<A<S>>` everywhere `A<S>` appears (the storage
//! applied first, then the wrapper, whatever `A` is: `Indirect<..>`
//! included, as `Counted<Indirect<A>>` and `Indirect<Counted<A>>` are the
//! same tree). The aliases name those concrete types, not
//! `<C as TreeConfig>::Map<K, V>`: the coherence check does not see through
//! such a projection, so a user's `impl Trait for Name<u64, u64>` beside one
//! for `BTreeMap<u64, u64>` would be rejected as conflicting (E0119).
//!
//! Every user-written type and the capacity keep their own spans, so the
//! compiler's errors about them (a type that is no handle, a capacity that
//! is no `usize`) point at the attribute.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{
    DeriveInput, Expr, ExprLit, GenericArgument, Lit, Meta, Path, PathArguments, Type, parse_quote,
};

use crate::attributes::{Attributes, Capacity, Counts};

/// Expands the derive for `input`, or says what is wrong with it.
pub fn derive(input: &DeriveInput) -> syn::Result<TokenStream> {
    if let Some(param) = input.generics.params.first() {
        return Err(syn::Error::new_spanned(
            param,
            "`TreeConfig` cannot be derived for a generic type: a configuration is a marker \
             type, such as `struct Embedded;`",
        ));
    }
    let attrs = Attributes::parse(&input.attrs, Span::call_site())?;
    let krate: Path = attrs
        .krate
        .clone()
        .unwrap_or_else(|| parse_quote!(::bptree));
    let ident = &input.ident;
    let vis = &input.vis;

    let handle: Type = attrs
        .handle
        .clone()
        .unwrap_or_else(|| parse_quote!(#krate::Wide32));
    let arena = counted(arena_type(&attrs, &krate)?, &attrs, &krate)?;
    let Some(capacity) = &attrs.capacity else {
        unreachable!("`Attributes::parse` reports a missing capacity");
    };
    let (cap_expr, cap_arg, cap_text) = match capacity {
        Capacity::Literal(lit, n) => (lit.to_token_stream(), lit.to_token_stream(), n.to_string()),
        Capacity::Expr(expr) => (
            expr.to_token_stream(),
            const_argument(expr),
            compact(expr.to_token_stream().to_string()),
        ),
    };
    let cap_check = match capacity {
        Capacity::Literal(..) => TokenStream::new(),
        Capacity::Expr(expr) => quote_spanned! {expr.span()=>
            const _: () = ::core::assert!(
                #krate::policy::MIN_CAP <= (#expr) && (#expr) <= #krate::policy::MAX_CAP,
                "bptree: `capacity` must be from 4 (MIN_CAP) to 4096 (MAX_CAP)",
            );
        },
    };

    let name = attrs
        .name
        .as_ref()
        .map(syn::LitStr::value)
        .unwrap_or_else(|| ident.to_string());
    let description = match &attrs.description {
        Some(lit) => lit.value(),
        None => first_doc_paragraph(input).unwrap_or_else(|| {
            format!(
                "{} handles, {}, {cap_text} entries per node",
                short_type(&handle),
                short_type(&arena)
            )
        }),
    };

    let map = quote!(#krate::BPlusTreeMap<K, V, #handle, #arena, #cap_arg>);
    let set = quote!(#krate::BPlusTreeSet<T, #handle, #arena, #cap_arg>);
    let aliases = attrs.alias.as_ref().map(|alias| {
        let set_alias = format_ident!("{}Set", alias);
        let map_doc = format!("The ordered map of the [`{ident}`] configuration.");
        let set_doc = format!("The ordered set of the [`{ident}`] configuration.");
        // Code that names only the aliases uses the configuration: say so,
        // or the marker would draw a "never constructed" warning.
        quote! {
            const _: ::core::marker::PhantomData<#ident> = ::core::marker::PhantomData;
            #[doc = #map_doc]
            #vis type #alias<K, V> = #map;
            #[doc = #set_doc]
            #vis type #set_alias<T> = #set;
        }
    });

    Ok(quote! {
        #[automatically_derived]
        impl #krate::TreeConfig for #ident {
            type Handle = #handle;
            type Arena = #arena;
            type Storage = <#arena as #krate::policy::ArenaStrategy>::Storage;
            const CAPACITY: usize = #cap_expr;
            const NAME: &'static str = #name;
            const DESCRIPTION: &'static str = #description;
            type Map<K: ::core::cmp::Ord, V> = #map;
            type Set<T: ::core::cmp::Ord> = #set;

            fn visit<Vis: #krate::config::ConfigVisitor + ?::core::marker::Sized>(
                visitor: &mut Vis,
            ) {
                visitor.visit::<Self, #cap_arg>();
            }
        }
        #cap_check
        #aliases
    })
}

/// The arena type with the storage applied: `A`, `A<S>`, or the map's
/// default arena `Indirect<VecArena>` (`Indirect<VecArena<S>>`), by which
/// of `arena` and `storage` were given. A wrapper (`Indirect`, `Counted`)
/// passes the storage to the arena it wraps: `arena = Indirect, storage =
/// Boxed` is `Indirect<VecArena<Boxed>>` (its default arena), `arena =
/// Indirect<PoolArena, 16>, storage = Boxed` is `Indirect<PoolArena<Boxed>,
/// 16>`, `arena = Counted, storage = Boxed` is
/// `Counted<Indirect<VecArena<Boxed>>>`. (Wrappers are known by name: a
/// proc macro cannot resolve types.)
fn arena_type(attrs: &Attributes, krate: &Path) -> syn::Result<Type> {
    let Some(storage) = &attrs.storage else {
        return Ok(attrs
            .arena
            .clone()
            .unwrap_or_else(|| parse_quote!(#krate::policy::Indirect<#krate::VecArena>)));
    };
    let Some(arena) = &attrs.arena else {
        return Ok(parse_quote!(#krate::policy::Indirect<#krate::VecArena<#storage>>));
    };
    with_storage(arena, storage, krate).ok_or_else(|| {
        syn::Error::new_spanned(
            storage,
            format_args!(
                "the storage is given twice: `arena = {}` already names it; write either \
                 `arena = PoolArena<Boxed>` or `arena = PoolArena, storage = Boxed`",
                compact(arena.to_token_stream().to_string())
            ),
        )
    })
}

/// `arena` with `storage` applied (see [`arena_type`]), or `None` if the
/// arena names a storage already.
fn with_storage(arena: &Type, storage: &Type, krate: &Path) -> Option<Type> {
    let Type::Path(p) = arena else { return None };
    if p.qself.is_some() {
        return None;
    }
    let mut path = p.clone();
    let last = path.path.segments.last_mut()?;
    let wrapper = last.ident == "Indirect" || last.ident == "Counted";
    match &mut last.arguments {
        // `Counted`'s default arena is the map's, `Indirect<VecArena>`.
        PathArguments::None if last.ident == "Counted" => {
            last.arguments = PathArguments::AngleBracketed(
                parse_quote!(<#krate::policy::Indirect<#krate::VecArena<#storage>>>),
            );
        }
        PathArguments::None if wrapper => {
            last.arguments =
                PathArguments::AngleBracketed(parse_quote!(<#krate::VecArena<#storage>>));
        }
        PathArguments::None => {
            last.arguments = PathArguments::AngleBracketed(parse_quote!(<#storage>));
        }
        // The wrapped arena comes first (`Indirect<A, RUN_LEAVES>`).
        PathArguments::AngleBracketed(args) if wrapper && !args.args.is_empty() => {
            let syn::GenericArgument::Type(inner) = args.args.first_mut()? else {
                return None;
            };
            *inner = with_storage(inner, storage, krate)?;
        }
        _ => return None,
    }
    Some(Type::Path(path))
}

/// The arena wrapped in `Counted<..>` if `counts` is on; an error if the
/// arena the attribute names keeps counts already.
fn counted(arena: Type, attrs: &Attributes, krate: &Path) -> syn::Result<Type> {
    let Some(Counts { on: true, key }) = &attrs.counts else {
        return Ok(arena);
    };
    if let Some(given) = attrs.arena.as_ref().filter(|a| keeps_counts(a)) {
        return Err(syn::Error::new_spanned(
            key,
            format_args!(
                "counts are given twice: `arena = {}` already keeps them; write either \
                 `arena = Counted<PoolArena>` or `arena = PoolArena, counts`",
                compact(given.to_token_stream().to_string())
            ),
        ));
    }
    Ok(parse_quote!(#krate::policy::Counted<#arena>))
}

/// Whether an arena type as written is `Counted<..>`, or `Indirect<..>` of
/// one (by the last path segment's name: the types are not resolved yet).
fn keeps_counts(arena: &Type) -> bool {
    let Type::Path(p) = arena else {
        return false;
    };
    let Some(last) = p.path.segments.last() else {
        return false;
    };
    if last.ident == "Counted" {
        return true;
    }
    if last.ident != "Indirect" {
        return false;
    }
    match &last.arguments {
        PathArguments::AngleBracketed(args) => args.args.iter().any(|arg| match arg {
            GenericArgument::Type(inner) => keeps_counts(inner),
            _ => false,
        }),
        _ => false,
    }
}

/// A capacity expression as a const generic argument: bare if it is a
/// literal or a single identifier (braces there would draw
/// `unused_braces`), braced otherwise (a longer path would be read as a
/// type).
fn const_argument(expr: &Expr) -> TokenStream {
    match expr {
        Expr::Path(p) if p.qself.is_none() && p.path.get_ident().is_some() => {
            expr.to_token_stream()
        }
        Expr::Lit(_) => expr.to_token_stream(),
        _ => quote_spanned!(expr.span()=> { #expr }),
    }
}

/// The first paragraph of the type's doc comment, joined into one line.
fn first_doc_paragraph(input: &DeriveInput) -> Option<String> {
    let mut lines = Vec::new();
    for attr in &input.attrs {
        let Meta::NameValue(nv) = &attr.meta else {
            continue;
        };
        if !nv.path.is_ident("doc") {
            continue;
        }
        let Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) = &nv.value
        else {
            continue;
        };
        // Each `///` line is one attribute, and a blank `///` line is an
        // empty one, which `lines()` would skip.
        let text = s.value();
        for line in text.lines().chain(text.trim().is_empty().then_some("")) {
            let line = line.trim();
            if line.is_empty() {
                if lines.is_empty() {
                    continue;
                }
                return Some(lines.join(" "));
            }
            lines.push(line.to_owned());
        }
    }
    (!lines.is_empty()).then(|| lines.join(" "))
}

/// A type as a reader would write it: the last path segment with its
/// generic arguments (`PoolArena<Boxed>` for `::bptree::PoolArena<
/// ::bptree::policy::Boxed>`).
fn short_type(ty: &Type) -> String {
    let Type::Path(p) = ty else {
        return compact(ty.to_token_stream().to_string());
    };
    let Some(last) = p.path.segments.last() else {
        return compact(ty.to_token_stream().to_string());
    };
    let mut out = last.ident.to_string();
    if let PathArguments::AngleBracketed(args) = &last.arguments {
        let args: Vec<String> = args
            .args
            .iter()
            .map(|arg| match arg {
                GenericArgument::Type(t) => short_type(t),
                other => compact(other.to_token_stream().to_string()),
            })
            .collect();
        out.push('<');
        out.push_str(&args.join(", "));
        out.push('>');
    }
    out
}

/// Token text without the spaces `to_string` puts around punctuation.
fn compact(text: String) -> String {
    text.replace(" :: ", "::")
        .replace(":: ", "::")
        .replace(" < ", "<")
        .replace(" <", "<")
        .replace("< ", "<")
        .replace(" >", ">")
        .replace(" ,", ",")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The expansion with all whitespace removed.
    fn expand(input: DeriveInput) -> syn::Result<String> {
        derive(&input).map(|tokens| squeeze(&tokens.to_string()))
    }

    fn squeeze(text: &str) -> String {
        text.split_whitespace().collect()
    }

    #[test]
    fn expansion_names_the_policies_and_capacity() {
        let out = expand(parse_quote! {
            #[tree(handle = Compact16, arena = PoolArena, storage = Boxed, capacity = 32)]
            pub struct Embedded;
        })
        .unwrap();
        assert!(
            out.contains(&squeeze("impl::bptree::TreeConfig for Embedded")),
            "{out}"
        );
        assert!(out.contains(&squeeze("type Handle = Compact16;")), "{out}");
        assert!(
            out.contains(&squeeze("type Arena = PoolArena<Boxed>;")),
            "{out}"
        );
        assert!(
            out.contains(&squeeze(
                "::bptree::BPlusTreeMap<K, V, Compact16, PoolArena<Boxed>, 32>"
            )),
            "{out}"
        );
        assert!(
            out.contains(&squeeze("visitor.visit::<Self, 32>()")),
            "{out}"
        );
        assert!(
            out.contains(&squeeze(
                "\"Compact16 handles, PoolArena<Boxed>, 32 entries per node\""
            )),
            "{out}"
        );
        // A literal capacity was checked while parsing: no const assertion.
        assert!(!out.contains("assert!"), "{out}");
    }

    #[test]
    fn expansion_defaults_crate_path_and_aliases() {
        let out = expand(parse_quote! {
            /// Docs.
            #[tree(crate = crate, capacity = plan::CAP, alias = Plan)]
            pub(crate) struct PlanConfig;
        })
        .unwrap();
        assert!(
            out.contains(&squeeze("type Handle = crate::Wide32;")),
            "{out}"
        );
        assert!(
            out.contains(&squeeze(
                "type Arena = crate::policy::Indirect<crate::VecArena>;"
            )),
            "{out}"
        );
        assert!(
            out.contains(&squeeze(
                "crate::BPlusTreeMap<K, V, crate::Wide32, crate::policy::Indirect<crate::VecArena>, {plan::CAP }>"
            )),
            "{out}"
        );
        assert!(
            out.contains(&squeeze("crate::policy::MIN_CAP <= (plan::CAP)")),
            "{out}"
        );
        // The aliases name the concrete types, the capacity braced.
        assert!(
            out.contains(&squeeze(
                "pub(crate) type Plan<K, V> = crate::BPlusTreeMap<K, V, crate::Wide32, \
                 crate::policy::Indirect<crate::VecArena>, {plan::CAP}>;"
            )),
            "{out}"
        );
        assert!(
            out.contains(&squeeze(
                "pub(crate) type PlanSet<T> = crate::BPlusTreeSet<T, crate::Wide32, \
                 crate::policy::Indirect<crate::VecArena>, {plan::CAP}>;"
            )),
            "{out}"
        );
        assert!(!out.contains("asTreeConfig>::Map"), "{out}");
        assert!(
            out.contains(&squeeze("const DESCRIPTION: &'static str = \"Docs.\";")),
            "{out}"
        );
    }

    #[test]
    fn aliases_are_concrete_types() {
        let out = expand(parse_quote! {
            #[tree(handle = Compact16, arena = PoolArena, storage = Boxed, capacity = 32, alias = Small)]
            pub struct SmallConfig;
        })
        .unwrap();
        assert!(
            out.contains(&squeeze(
                "pub type Small<K, V> = ::bptree::BPlusTreeMap<K, V, Compact16, PoolArena<Boxed>, 32>;"
            )),
            "{out}"
        );
        assert!(
            out.contains(&squeeze(
                "pub type SmallSet<T> = ::bptree::BPlusTreeSet<T, Compact16, PoolArena<Boxed>, 32>;"
            )),
            "{out}"
        );
        // A capacity named by one identifier stays bare (braces would draw
        // `unused_braces`); any longer expression is braced.
        let out = expand(parse_quote! {
            #[tree(crate = my::bptree, capacity = ENTRIES, alias = Named)]
            struct NamedConfig;
        })
        .unwrap();
        assert!(
            out.contains(&squeeze(
                "type Named<K, V> = my::bptree::BPlusTreeMap<K, V, my::bptree::Wide32, \
                 my::bptree::policy::Indirect<my::bptree::VecArena>, ENTRIES>;"
            )),
            "{out}"
        );
        let out = expand(parse_quote! {
            #[tree(capacity = 4096 / 16, alias = Paged)]
            struct PagedConfig;
        })
        .unwrap();
        assert!(
            out.contains(&squeeze(
                "type PagedSet<T> = ::bptree::BPlusTreeSet<T, ::bptree::Wide32, \
                 ::bptree::policy::Indirect<::bptree::VecArena>, {4096 / 16}>;"
            )),
            "{out}"
        );
    }

    #[test]
    fn counts_wrap_the_arena() {
        let out = expand(parse_quote! {
            #[tree(handle = Compact16, arena = PoolArena, storage = Boxed, counts, capacity = 32, alias = Ranked)]
            pub struct RankedConfig;
        })
        .unwrap();
        let counted = "::bptree::policy::Counted<PoolArena<Boxed>>";
        assert!(
            out.contains(&squeeze(&format!("type Arena = {counted};"))),
            "{out}"
        );
        assert!(
            out.contains(&squeeze(&format!(
                "type Storage = <{counted} as ::bptree::policy::ArenaStrategy>::Storage;"
            ))),
            "{out}"
        );
        assert!(
            out.contains(&squeeze(&format!(
                "pub type Ranked<K, V> = ::bptree::BPlusTreeMap<K, V, Compact16, {counted}, 32>;"
            ))),
            "{out}"
        );
        assert!(
            out.contains(&squeeze(&format!(
                "pub type RankedSet<T> = ::bptree::BPlusTreeSet<T, Compact16, {counted}, 32>;"
            ))),
            "{out}"
        );
        assert!(
            out.contains(&squeeze(
                "\"Compact16 handles, Counted<PoolArena<Boxed>>, 32 entries per node\""
            )),
            "{out}"
        );

        // The default arena, the crate path, `Indirect`, and `counts = false`.
        let out = expand(parse_quote! {
            #[tree(crate = crate, counts = true, capacity = 8)]
            struct Defaults;
        })
        .unwrap();
        assert!(
            out.contains(&squeeze(
                "type Arena = crate::policy::Counted<crate::policy::Indirect<crate::VecArena>>;"
            )),
            "{out}"
        );
        let out = expand(parse_quote! {
            #[tree(arena = Indirect<VecArena<Boxed>>, counts, capacity = 8)]
            struct Indirected;
        })
        .unwrap();
        assert!(
            out.contains(&squeeze(
                "type Arena = ::bptree::policy::Counted<Indirect<VecArena<Boxed>>>;"
            )),
            "{out}"
        );
        let out = expand(parse_quote! {
            #[tree(arena = PoolArena, counts = false, capacity = 8)]
            struct Off;
        })
        .unwrap();
        assert!(out.contains(&squeeze("type Arena = PoolArena;")), "{out}");
        assert!(!out.contains("Counted"), "{out}");
    }

    #[test]
    fn storage_goes_inside_wrappers() {
        for (arena, want) in [
            (
                quote::quote!(Indirect),
                "Indirect<::bptree::VecArena<Boxed>>",
            ),
            (
                quote::quote!(Indirect<PoolArena>),
                "Indirect<PoolArena<Boxed>>",
            ),
            (
                quote::quote!(bptree::policy::Counted<Indirect>),
                "bptree::policy::Counted<Indirect<::bptree::VecArena<Boxed>>>",
            ),
            (
                quote::quote!(Counted<PoolArena>),
                "Counted<PoolArena<Boxed>>",
            ),
            (
                quote::quote!(Counted),
                "Counted<::bptree::policy::Indirect<::bptree::VecArena<Boxed>>>",
            ),
            (
                quote::quote!(Indirect<PoolArena, 16>),
                "Indirect<PoolArena<Boxed>, 16>",
            ),
        ] {
            let input: DeriveInput = parse_quote! {
                #[tree(arena = #arena, storage = Boxed, capacity = 8)]
                struct W;
            };
            let out = expand(input).unwrap();
            assert!(
                out.contains(&squeeze(&format!("type Arena = {want};"))),
                "{out}"
            );
        }
        // A wrapper whose arena names its storage already.
        let e = expand(parse_quote!(
            #[tree(arena = Indirect<VecArena<Boxed>>, storage = Boxed, capacity = 8)]
            struct Twice;
        ))
        .unwrap_err();
        assert!(
            e.to_string().starts_with("the storage is given twice"),
            "{e}"
        );
    }

    #[test]
    fn expansion_errors() {
        let e = expand(parse_quote!(
            #[tree(capacity = 8)]
            struct G<T>(T);
        ))
        .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("`TreeConfig` cannot be derived for a generic type")
        );
        let e = expand(parse_quote!(
            #[tree(arena = PoolArena<Boxed>, storage = Boxed, capacity = 8)]
            struct S;
        ))
        .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("the storage is given twice: `arena = PoolArena<Boxed>`")
        );
        for arena in [
            quote!(Counted<PoolArena>),
            quote!(bptree::policy::Counted),
            quote!(Indirect<Counted<VecArena<Boxed>>>),
        ] {
            let e = expand(parse_quote!(
                #[tree(arena = #arena, counts, capacity = 8)]
                struct S;
            ))
            .unwrap_err();
            assert!(
                e.to_string()
                    .starts_with("counts are given twice: `arena = "),
                "{e}"
            );
        }
        // Without `counts`, or with `counts = false`, a counted arena is
        // taken as it is.
        for attr in [
            quote!(#[tree(arena = Counted<PoolArena>, capacity = 8)]),
            quote!(#[tree(arena = Counted<PoolArena>, counts = false, capacity = 8)]),
        ] {
            let out = expand(parse_quote!(
                #attr
                struct S;
            ))
            .unwrap();
            assert!(
                out.contains(&squeeze("type Arena = Counted<PoolArena>;")),
                "{out}"
            );
        }
    }

    #[test]
    fn text_helpers() {
        assert_eq!(
            short_type(&parse_quote!(
                ::bptree::policy::PoolArena<::bptree::policy::Boxed>
            )),
            "PoolArena<Boxed>"
        );
        assert_eq!(short_type(&parse_quote!(Wide32)), "Wide32");
        assert_eq!(compact(quote!(a::b<c, d>).to_string()), "a::b<c, d>");
        let input: DeriveInput = parse_quote! {
            #[doc = ""]
            #[doc = " One"]
            #[doc = " two."]
            #[doc = ""]
            #[doc = " Three."]
            struct S;
        };
        assert_eq!(first_doc_paragraph(&input).as_deref(), Some("One two."));
        assert_eq!(
            first_doc_paragraph(&parse_quote!(
                struct S;
            )),
            None
        );
    }
}
