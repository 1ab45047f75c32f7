//! What the tidy rules need to know about one Rust file, read with `syn`: the paths it names, the method calls it makes, its string literals and its functions' lines, test code left out.
//!
//! Test code is an item under `#[cfg(test)]` (or `cfg(all(test, ..))`) or marked
//! `#[test]` / `#[tokio::test]`. Attributes, doc comments included, are not code: their
//! strings and paths are skipped. A macro's arguments are read as expressions when they
//! parse as such (`format!`, `vec!`, `concat!`, ...); otherwise their tokens are scanned
//! for string literals and `a::b` paths. Line numbers come from `proc-macro2`'s
//! `span-locations`.

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Attribute, Block, Expr, ImplItem, Item, LitStr, Macro, Meta, Signature, Token, UseTree};

/// One token of an expression, flattened (groups become their delimiters).
#[derive(Debug, Clone)]
pub(crate) struct Tok {
    pub text: String,
    pub line: usize,
    /// The value, when the token is a string literal.
    pub string: Option<String>,
}

/// A path the code names: `use` trees expanded (`use a::{b, c}` gives `a::b` and
/// `a::c`, a glob gives `a::*`), and expression, type, pattern and macro paths.
#[derive(Debug)]
pub(crate) struct NamedPath {
    pub segments: Vec<String>,
    pub line: usize,
}

impl NamedPath {
    pub(crate) fn starts_with(&self, first: &str) -> bool {
        self.segments.first().is_some_and(|s| s == first)
    }
}

/// A method call `receiver.method(args)`.
#[derive(Debug)]
pub(crate) struct MethodCall {
    pub method: String,
    pub line: usize,
    pub receiver: Vec<Tok>,
    /// Every argument's tokens, one after the other.
    pub args: Vec<Tok>,
}

/// A function with a body, from `fn` to its closing brace.
#[derive(Debug)]
pub(crate) struct Function {
    pub name: String,
    pub line: usize,
    pub lines: usize,
}

/// Everything the rules ask about one file's non-test code.
#[derive(Debug, Default)]
pub(crate) struct Facts {
    pub paths: Vec<NamedPath>,
    pub calls: Vec<MethodCall>,
    /// String literals (value, line).
    pub strings: Vec<(String, usize)>,
    pub functions: Vec<Function>,
    /// Lines of the test items (an inline `mod tests`), which the file size leaves out.
    pub test_lines: usize,
}

/// Read `text` as a Rust file.
pub(crate) fn read(text: &str) -> syn::Result<Facts> {
    let file = syn::parse_file(text)?;
    let mut collector = Collector::default();
    collector.visit_file(&file);
    Ok(collector.facts)
}

/// Whether the tokens hold a field access `.field` (`self.pool`, `&self.pool`).
pub(crate) fn has_field(toks: &[Tok], field: &str) -> bool {
    toks.windows(2).any(|w| w[0].text == "." && w[1].text == field)
}

/// Whether `attrs` make an item test code.
pub(crate) fn is_test(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|attr| {
        let path = attr.path();
        if path.segments.last().is_some_and(|s| s.ident == "test") {
            return true; // #[test], #[tokio::test]
        }
        path.is_ident("cfg") && attr.parse_args::<Meta>().is_ok_and(|meta| cfg_is_test(&meta))
    })
}

/// `test`, `all(.., test, ..)`, or `any(..)` of test-only predicates.
fn cfg_is_test(meta: &Meta) -> bool {
    let Meta::List(list) = meta else { return meta.path().is_ident("test") };
    let Ok(nested) = list.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated) else { return false };
    if list.path.is_ident("all") {
        nested.iter().any(cfg_is_test)
    } else if list.path.is_ident("any") {
        !nested.is_empty() && nested.iter().all(cfg_is_test)
    } else {
        false
    }
}

fn item_attrs(item: &Item) -> &[Attribute] {
    match item {
        Item::Const(i) => &i.attrs,
        Item::Enum(i) => &i.attrs,
        Item::ExternCrate(i) => &i.attrs,
        Item::Fn(i) => &i.attrs,
        Item::ForeignMod(i) => &i.attrs,
        Item::Impl(i) => &i.attrs,
        Item::Macro(i) => &i.attrs,
        Item::Mod(i) => &i.attrs,
        Item::Static(i) => &i.attrs,
        Item::Struct(i) => &i.attrs,
        Item::Trait(i) => &i.attrs,
        Item::TraitAlias(i) => &i.attrs,
        Item::Type(i) => &i.attrs,
        Item::Union(i) => &i.attrs,
        Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

fn impl_item_attrs(item: &ImplItem) -> &[Attribute] {
    match item {
        ImplItem::Const(i) => &i.attrs,
        ImplItem::Fn(i) => &i.attrs,
        ImplItem::Type(i) => &i.attrs,
        ImplItem::Macro(i) => &i.attrs,
        _ => &[],
    }
}

fn line_count(span: Span) -> usize {
    span.end().line + 1 - span.start().line
}

/// Flatten `tokens`, leaving out attributes (`#[..]`, `#![..]`, doc comments).
pub(crate) fn flatten(tokens: TokenStream) -> Vec<Tok> {
    fn walk(tokens: TokenStream, out: &mut Vec<Tok>) {
        let mut after_hash = false;
        for tree in tokens {
            let line = tree.span().start().line;
            match tree {
                TokenTree::Group(group) => {
                    let is_attribute = after_hash && group.delimiter() == Delimiter::Bracket;
                    after_hash = false;
                    if is_attribute {
                        if out.last().is_some_and(|t| t.text == "!") {
                            out.pop();
                        }
                        out.pop(); // the `#`
                        continue;
                    }
                    let (open, close) = match group.delimiter() {
                        Delimiter::Parenthesis => ("(", ")"),
                        Delimiter::Brace => ("{", "}"),
                        Delimiter::Bracket => ("[", "]"),
                        Delimiter::None => ("", ""),
                    };
                    out.push(Tok { text: open.into(), line, string: None });
                    walk(group.stream(), out);
                    out.push(Tok { text: close.into(), line: group.span_close().start().line, string: None });
                }
                TokenTree::Punct(punct) => {
                    let c = punct.as_char();
                    after_hash = c == '#' || (after_hash && c == '!');
                    out.push(Tok { text: c.to_string(), line, string: None });
                }
                TokenTree::Ident(ident) => {
                    after_hash = false;
                    out.push(Tok { text: ident.to_string(), line, string: None });
                }
                TokenTree::Literal(literal) => {
                    after_hash = false;
                    let string = match syn::Lit::new(literal.clone()) {
                        syn::Lit::Str(s) => Some(s.value()),
                        _ => None,
                    };
                    out.push(Tok { text: literal.to_string(), line, string });
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(tokens, &mut out);
    out
}

/// The `a::b::c` paths in a flat token list.
fn token_paths(toks: &[Tok]) -> Vec<NamedPath> {
    let is_ident = |t: &Tok| t.string.is_none() && t.text.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_');
    let mut paths = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if !is_ident(&toks[i]) {
            i += 1;
            continue;
        }
        let mut segments = vec![toks[i].text.clone()];
        let line = toks[i].line;
        let mut j = i + 1;
        while toks.get(j).is_some_and(|t| t.text == ":") && toks.get(j + 1).is_some_and(|t| t.text == ":") && toks.get(j + 2).is_some_and(is_ident) {
            segments.push(toks[j + 2].text.clone());
            j += 3;
        }
        if segments.len() > 1 {
            paths.push(NamedPath { segments, line });
        }
        i = j;
    }
    paths
}

#[derive(Default)]
struct Collector {
    facts: Facts,
}

impl Collector {
    fn function(&mut self, sig: &Signature, block: &Block) {
        let line = sig.fn_token.span.start().line;
        let end = block.brace_token.span.close().end().line;
        self.facts.functions.push(Function { name: sig.ident.to_string(), line, lines: end + 1 - line });
    }

    fn use_tree(&mut self, tree: &UseTree, prefix: &mut Vec<String>) {
        let mut leaf = |segment: String, line: usize, prefix: &[String]| {
            let mut segments = prefix.to_vec();
            segments.push(segment);
            self.facts.paths.push(NamedPath { segments, line });
        };
        match tree {
            UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(&p.tree, prefix);
                prefix.pop();
            }
            UseTree::Name(n) => leaf(n.ident.to_string(), n.ident.span().start().line, prefix),
            UseTree::Rename(r) => leaf(r.ident.to_string(), r.ident.span().start().line, prefix),
            UseTree::Glob(g) => leaf("*".into(), g.star_token.span.start().line, prefix),
            UseTree::Group(g) => {
                for item in &g.items {
                    self.use_tree(item, prefix);
                }
            }
        }
    }
}

impl<'ast> Visit<'ast> for Collector {
    fn visit_attribute(&mut self, _: &'ast Attribute) {}

    fn visit_item(&mut self, item: &'ast Item) {
        if is_test(item_attrs(item)) {
            self.facts.test_lines += line_count(item.span());
            return;
        }
        visit::visit_item(self, item);
    }

    fn visit_impl_item(&mut self, item: &'ast ImplItem) {
        if is_test(impl_item_attrs(item)) {
            self.facts.test_lines += line_count(item.span());
            return;
        }
        visit::visit_impl_item(self, item);
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(&item.tree, &mut Vec::new());
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        if let Some(first) = path.segments.first() {
            let segments = path.segments.iter().map(|s| s.ident.to_string()).collect();
            self.facts.paths.push(NamedPath { segments, line: first.ident.span().start().line });
        }
        visit::visit_path(self, path);
    }

    fn visit_lit_str(&mut self, lit: &'ast LitStr) {
        self.facts.strings.push((lit.value(), lit.span().start().line));
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        self.facts.calls.push(MethodCall {
            method: call.method.to_string(),
            line: call.method.span().start().line,
            receiver: flatten(call.receiver.to_token_stream()),
            args: call.args.iter().flat_map(|a| flatten(a.to_token_stream())).collect(),
        });
        visit::visit_expr_method_call(self, call);
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        self.function(&f.sig, &f.block);
        visit::visit_item_fn(self, f);
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        self.function(&f.sig, &f.block);
        visit::visit_impl_item_fn(self, f);
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        if let Some(block) = &f.default {
            self.function(&f.sig, block);
        }
        visit::visit_trait_item_fn(self, f);
    }

    fn visit_macro(&mut self, mac: &'ast Macro) {
        self.visit_path(&mac.path);
        if let Ok(args) = mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated) {
            for arg in &args {
                self.visit_expr(arg);
            }
            return;
        }
        let toks = flatten(mac.tokens.clone());
        self.facts.strings.extend(toks.iter().filter_map(|t| Some((t.string.clone()?, t.line))));
        self.facts.paths.extend(token_paths(&toks));
    }
}
