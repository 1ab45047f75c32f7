//! Every plugin permission the host knows is explained to admins: each name `host/src/capabilities.rs` parses has words in the System Console's `capabilities.ts`, so an approval screen never calls a real permission unknown.

use super::{Rule, Tree, Violation};

const HOST: &str = "host/src/capabilities.rs";
const CONSOLE: &str = "webapp/src/components/console/capabilities.ts";

pub(super) fn check(tree: &Tree, out: &mut Vec<Violation>) {
    let (Some(host), Some(console)) = (tree.get(HOST), tree.get(CONSOLE)) else { return };
    for (line, name) in parsed_names(host) {
        let described = match name.strip_suffix(':') {
            // A prefix (`http:`, `plugin:`): the console words it from the rest of the name.
            Some(prefix) => console.contains(&format!("startsWith('{prefix}:')")),
            None => console.contains(&format!("'{name}':")) || console.contains(&format!("\n  {name}:")),
        };
        if !described {
            out.push(Violation::new(
                HOST,
                line,
                Rule::CapabilityDescribed,
                format!("say in words what `{name}` lets a plugin do, in {CONSOLE} (the admin approves it there)"),
            ));
        }
    }
}

/// `(line, name)` of each permission name the parser accepts: the string literal of a
/// match arm (`"kv" => Capability::Kv`), or of a prefix ending in `:` (`strip_prefix("http:")`).
fn parsed_names(text: &str) -> Vec<(usize, String)> {
    let mut names = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix('"')
            && let Some((name, after)) = rest.split_once('"')
            && after.trim_start().starts_with("=> Capability::")
        {
            names.push((i + 1, name.to_string()));
        }
        for (_, rest) in line.match_indices("strip_prefix(\"").map(|(at, m)| line.split_at(at + m.len())) {
            if let Some((prefix, _)) = rest.split_once('"')
                && prefix.ends_with(':')
            {
                names.push((i + 1, prefix.to_string()));
            }
        }
    }
    names
}
