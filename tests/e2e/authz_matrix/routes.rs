//! The router's routes, read from the API source: every `.route(path, method(..).method(..))` in `server-core/src/api.rs` and `server-core/src/api/*.rs`, as (method, path) pairs.
//!
//! axum's `Router` cannot list its routes, so the matrix reads them where they are
//! declared. The files are parsed with `syn` (not matched with patterns), so a route
//! split over lines, a chained method or a path held in a `const` is found as the
//! compiler sees it. Anything the reader does not understand (a `.nest`, a
//! `.route_service`, a path that is neither a literal nor a local `const`, a method
//! router that is not `get(..)`/`post(..)`/... ) fails loudly rather than being skipped,
//! so a new way of declaring routes cannot hide routes from the matrix.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use syn::visit::Visit;

/// One route: `GET`, `POST`, `PUT`, `DELETE`, `PATCH`, `HEAD`, `OPTIONS` or `ANY`, and
/// the path pattern exactly as written in the router.
pub type Route = (String, String);

/// Every route of the API modules, with the file each came from.
pub fn api_routes() -> BTreeMap<Route, String> {
    let root = confab_e2e::repo_root().join("server-core/src");
    let mut files = vec![root.join("api.rs")];
    let mut entries: Vec<_> = std::fs::read_dir(root.join("api")).expect("read server-core/src/api").map(|e| e.expect("a directory entry").path()).collect();
    entries.sort();
    files.extend(entries.into_iter().filter(|p| p.extension().is_some_and(|e| e == "rs")));
    let mut all = BTreeMap::new();
    for file in files {
        for route in routes_in_file(&file) {
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            all.insert(route, name);
        }
    }
    all
}

fn routes_in_file(path: &Path) -> BTreeSet<Route> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    routes_in_source(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The routes declared in one Rust source file (test modules excluded).
pub fn routes_in_source(text: &str) -> Result<BTreeSet<Route>, String> {
    let file = syn::parse_file(text).map_err(|e| format!("does not parse: {e}"))?;
    let mut consts = BTreeMap::new();
    collect_consts(&file.items, &mut consts);
    let mut finder = RouteFinder { consts, routes: BTreeSet::new(), errors: Vec::new() };
    finder.visit_file(&file);
    if finder.errors.is_empty() { Ok(finder.routes) } else { Err(finder.errors.join("; ")) }
}

/// String constants of the file (a route path may be one, as `RESPONSE_URL_ROUTE` is).
fn collect_consts(items: &[syn::Item], out: &mut BTreeMap<String, String>) {
    for item in items {
        match item {
            syn::Item::Const(c) => {
                if let syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) = &*c.expr {
                    out.insert(c.ident.to_string(), s.value());
                }
            }
            syn::Item::Mod(m) if !is_test_module(m) => collect_consts(m.content.as_ref().map_or(&[][..], |(_, items)| items.as_slice()), out),
            _ => {}
        }
    }
}

fn is_test_module(m: &syn::ItemMod) -> bool {
    m.attrs.iter().any(|a| a.path().is_ident("cfg") && a.meta.require_list().is_ok_and(|l| l.tokens.to_string().contains("test")))
}

const METHODS: [&str; 8] = ["get", "post", "put", "delete", "patch", "head", "options", "any"];

struct RouteFinder {
    consts: BTreeMap<String, String>,
    routes: BTreeSet<Route>,
    errors: Vec<String>,
}

impl RouteFinder {
    fn path_of(&mut self, expr: &syn::Expr) -> Option<String> {
        match expr {
            syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value()),
            syn::Expr::Path(p) if p.path.get_ident().is_some_and(|i| self.consts.contains_key(&i.to_string())) => {
                Some(self.consts[&p.path.get_ident().unwrap().to_string()].clone())
            }
            other => {
                self.errors.push(format!("a route path the matrix cannot read: `{}`", quote_expr(other)));
                None
            }
        }
    }

    /// The methods of a method router: `get(h)`, `post(h).get(h2)`, `any(h)`, with
    /// `.layer(..)` and other non-method calls in the chain passed over.
    fn methods_of(&mut self, expr: &syn::Expr, out: &mut Vec<String>) {
        match expr {
            syn::Expr::MethodCall(call) => {
                let name = call.method.to_string();
                if METHODS.contains(&name.as_str()) {
                    out.push(name.to_uppercase());
                } else if name != "layer" && name != "route_layer" {
                    self.errors.push(format!("a method-router call the matrix does not know: `.{name}(..)`"));
                }
                self.methods_of(&call.receiver, out);
            }
            syn::Expr::Call(call) => match &*call.func {
                syn::Expr::Path(p) if p.path.segments.last().is_some_and(|s| METHODS.contains(&s.ident.to_string().as_str())) => {
                    out.push(p.path.segments.last().unwrap().ident.to_string().to_uppercase());
                }
                other => self.errors.push(format!("a method router the matrix cannot read: `{}`", quote_expr(other))),
            },
            other => self.errors.push(format!("a method router the matrix cannot read: `{}`", quote_expr(other))),
        }
    }
}

impl<'ast> Visit<'ast> for RouteFinder {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if !is_test_module(m) {
            syn::visit::visit_item_mod(self, m);
        }
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        match call.method.to_string().as_str() {
            "route" if call.args.len() == 2 => {
                let path = self.path_of(&call.args[0]);
                let mut methods = Vec::new();
                self.methods_of(&call.args[1], &mut methods);
                if let Some(path) = path {
                    for method in methods {
                        self.routes.insert((method, path.clone()));
                    }
                }
            }
            "nest" | "nest_service" | "route_service" => self.errors.push(format!("`.{}(..)` is not enumerated by the matrix; teach routes.rs", call.method)),
            _ => {}
        }
        syn::visit::visit_expr_method_call(self, call);
    }
}

fn quote_expr(expr: &syn::Expr) -> String {
    use quote::ToTokens;
    expr.to_token_stream().to_string()
}
