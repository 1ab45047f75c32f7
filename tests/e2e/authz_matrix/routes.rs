//! The router's routes, read from the API source: every `.route(path, method(..).method(..))` in `server-core/src/api.rs` and `server-core/src/api/*.rs`, as (method, path) pairs.
//!
//! axum's `Router` cannot list its routes, so the matrix reads them where they are
//! declared. The reader knows only the subset of Rust the API modules build routers
//! with: comments and string literals are skipped token-wise, arguments are split at
//! top-level commas, so a route split over lines, chained methods (`post(a).get(b)`),
//! `.layer(..)` in a chain and a path held in a `const` of the same file are all read.
//! Anything outside that subset (`.nest`, `.route_service`, a computed path, a method
//! router that is not `get(..)`/`post(..)`/...) is an error, not a skipped route, so a
//! new way of declaring routes cannot hide routes from the matrix. (`syn` would read
//! any Rust, but adding it to the test crate's dependencies rebuilds most of the
//! workspace's dependency tree, as it changes proc-macro2's features.)

use std::collections::{BTreeMap, BTreeSet};

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
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("read {}: {e}", file.display()));
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        for route in routes_in_source(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display())) {
            all.insert(route, name.clone());
        }
    }
    all
}

/// A token of the subset: an identifier (or number), a string literal's value, or one
/// punctuation character.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    Str(String),
    Punct(char),
}

/// Tokens of `text` without comments; strings (plain and raw) become `Str`.
fn tokens(text: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let end = (i + 2..chars.len().saturating_sub(1)).find(|&j| chars[j] == '*' && chars[j + 1] == '/').ok_or("an unterminated comment")?;
            i = end + 2;
        } else if c == '"' {
            let (value, end) = string_at(&chars, i + 1)?;
            out.push(Tok::Str(value));
            i = end;
        } else if c == 'r' && (next == Some('"') || next == Some('#')) {
            let hashes = chars[i + 1..].iter().take_while(|&&h| h == '#').count();
            if chars.get(i + 1 + hashes) != Some(&'"') {
                return Err("a raw identifier or odd `r#`".into());
            }
            let start = i + 2 + hashes;
            let closing: String = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
            let rest: String = chars[start..].iter().collect();
            let len = rest.find(&closing).ok_or("an unterminated raw string")?;
            out.push(Tok::Str(rest[..len].to_string()));
            i = start + rest[..len].chars().count() + closing.chars().count();
        } else if c == '\'' {
            // A char literal ('x', '\n', '\'') or a lifetime ('a, 'static).
            if next == Some('\\') {
                let end = (i + 2..chars.len()).find(|&j| chars[j] == '\'').ok_or("an unterminated char")?;
                i = end + 1;
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
            }
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Tok::Ident(chars[start..i].iter().collect()));
        } else {
            out.push(Tok::Punct(c));
            i += 1;
        }
    }
    Ok(out)
}

/// A plain string's value from after its opening quote; (value, index after the quote).
fn string_at(chars: &[char], mut i: usize) -> Result<(String, usize), String> {
    let mut value = String::new();
    while i < chars.len() {
        match chars[i] {
            '"' => return Ok((value, i + 1)),
            '\\' => {
                // Route paths have no escapes; keep the escaped character as is.
                value.push(*chars.get(i + 1).ok_or("an unterminated string")?);
                i += 2;
            }
            c => {
                value.push(c);
                i += 1;
            }
        }
    }
    Err("an unterminated string".into())
}

/// Index of the `)`/`]`/`}` closing the bracket at `open`.
fn closing(toks: &[Tok], open: usize) -> Result<usize, String> {
    let mut depth = 0usize;
    for (j, t) in toks.iter().enumerate().skip(open) {
        match t {
            Tok::Punct('(' | '[' | '{') => depth += 1,
            Tok::Punct(')' | ']' | '}') => {
                depth -= 1;
                if depth == 0 {
                    return Ok(j);
                }
            }
            _ => {}
        }
    }
    Err("unbalanced brackets".into())
}

/// The arguments between `(` at `open` and its `)`, split at top-level commas (a
/// trailing comma is allowed).
fn arguments(toks: &[Tok], open: usize) -> Result<(Vec<&[Tok]>, usize), String> {
    let close = closing(toks, open)?;
    let mut args = Vec::new();
    let mut start = open + 1;
    let mut j = open + 1;
    while j < close {
        match toks[j] {
            Tok::Punct('(' | '[' | '{') => j = closing(toks, j)? + 1,
            Tok::Punct(',') => {
                args.push(&toks[start..j]);
                start = j + 1;
                j += 1;
            }
            _ => j += 1,
        }
    }
    if start < close {
        args.push(&toks[start..close]);
    }
    Ok((args, close))
}

const METHODS: [&str; 8] = ["get", "post", "put", "delete", "patch", "head", "options", "any"];

/// The methods of a method router: `get(h)`, `post(h).get(h2)`, `any(h)`, with
/// `.layer(..)` passed over; anything else is an error.
fn methods_of(toks: &[Tok]) -> Result<Vec<String>, String> {
    let mut methods = Vec::new();
    let mut j = 0;
    let mut first = true;
    while j < toks.len() {
        if !first {
            if toks[j] != Tok::Punct('.') {
                return Err(format!("a method router the matrix cannot read near {:?}", &toks[j..]));
            }
            j += 1;
        }
        let (Some(Tok::Ident(name)), Some(Tok::Punct('('))) = (toks.get(j), toks.get(j + 1)) else {
            return Err(format!("a method router the matrix cannot read near {:?}", &toks[j..]));
        };
        if METHODS.contains(&name.as_str()) {
            methods.push(name.to_uppercase());
        } else if first || !matches!(name.as_str(), "layer" | "route_layer") {
            return Err(format!("a method-router call the matrix does not know: `{name}(..)`"));
        }
        j = closing(toks, j + 1)? + 1;
        first = false;
    }
    if methods.is_empty() { Err("a route without methods".into()) } else { Ok(methods) }
}

/// The routes declared in one Rust source file. Everything from the first
/// `#[cfg(test)]` on is a test module and not read.
pub fn routes_in_source(text: &str) -> Result<BTreeSet<Route>, String> {
    let toks = tokens(text)?;
    let test_start = toks
        .windows(6)
        .position(|w| w[0] == Tok::Punct('#') && w[1] == Tok::Punct('[') && w[2] == Tok::Ident("cfg".into()) && w[4] == Tok::Ident("test".into()))
        .unwrap_or(toks.len());
    let toks = &toks[..test_start];
    // `const NAME: &str = "...";`
    let mut consts = BTreeMap::new();
    for w in toks.windows(7) {
        if let [Tok::Ident(kw), Tok::Ident(name), Tok::Punct(':'), Tok::Punct('&'), Tok::Ident(ty), Tok::Punct('='), Tok::Str(value)] = w
            && kw == "const"
            && ty == "str"
        {
            consts.insert(name.clone(), value.clone());
        }
    }
    let mut routes = BTreeSet::new();
    for j in 1..toks.len() {
        let (Tok::Punct('.'), Tok::Ident(name)) = (&toks[j - 1], &toks[j]) else { continue };
        if matches!(name.as_str(), "nest" | "nest_service" | "route_service" | "merge_service") {
            return Err(format!("`.{name}(..)` is not read by the matrix; teach routes.rs"));
        }
        if name != "route" || toks.get(j + 1) != Some(&Tok::Punct('(')) {
            continue;
        }
        let (args, _) = arguments(toks, j + 1)?;
        let [path, methods] = args.as_slice() else { return Err(format!("`.route` with {} arguments", args.len())) };
        let path = match path {
            [Tok::Str(value)] => value.clone(),
            [Tok::Ident(name)] if consts.contains_key(name) => consts[name].clone(),
            other => return Err(format!("a route path the matrix cannot read: {other:?}")),
        };
        for method in methods_of(methods)? {
            routes.insert((method, path.clone()));
        }
    }
    Ok(routes)
}
