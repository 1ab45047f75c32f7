//! `#[confab_plugin::plugin]`: exports exactly the hook families a plugin implements.
//!
//! The host discovers which WIT interfaces a component exports and never calls the
//! others (Mattermost's `Implemented()`), so a component must not export a family the
//! plugin did not write. This attribute reads the method names of the
//! `impl Plugin for T` block it decorates, maps them to families, and emits a
//! `wit_bindgen::generate!` for a world exporting only those families, with `Guest`
//! impls forwarding to `T`'s methods.
//!
//! Finding the WIT: the files of `wit/` are embedded into this proc-macro with
//! `include_str!` when the macro crate is compiled, and handed to `generate!` as
//! `inline:` text (nested in a `package confab:plugin@0.2.0 { ... }` block, beside the
//! generated world). Compared with passing a `path:`, this reads nothing from disk while
//! a plugin compiles, so it works from any plugin directory, out-of-tree and from a
//! vendored or packaged SDK, and it cannot pick up a stray `wit/` folder of the plugin
//! crate (`path: []` turns wit-bindgen's default lookup off). `include_str!` also makes
//! cargo rebuild the macro, and therefore every plugin, whenever the WIT changes.

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{format_ident, quote};
use syn::{ImplItem, ItemImpl, parse_macro_input};

/// The WIT package, embedded at macro compile time (see the module docs for why).
const WIT_FILES: [&str; 9] = [
    include_str!("../../../wit/types.wit"),
    include_str!("../../../wit/host.wit"),
    include_str!("../../../wit/hooks.wit"),
    include_str!("../../../wit/world.wit"),
    include_str!("../../../wit/scheduler.wit"),
    include_str!("../../../wit/dialogs.wit"),
    include_str!("../../../wit/plugin-http.wit"),
    include_str!("../../../wit/metrics.wit"),
    include_str!("../../../wit/hook-post.wit"),
];

/// The package every file of `wit/` declares; the generated world refers to it.
const WIT_PACKAGE: &str = "confab:plugin@0.2.0";

/// Each hook family (a WIT interface in hooks.wit) and the `Plugin` methods in it.
/// Must list every function of hooks.wit: the generated `Guest` impls below cover
/// whole interfaces, so a missing name would only mean "not detected".
const FAMILIES: &[(&str, &[&str])] = &[
    ("lifecycle", &["activate", "deactivate", "configuration_changed"]),
    (
        "message-hooks",
        &["message_will_be_posted", "message_will_be_updated", "message_has_been_posted", "message_has_been_updated", "message_has_been_deleted"],
    ),
    ("reaction-hooks", &["reaction_has_been_added", "reaction_has_been_removed"]),
    ("channel-hooks", &["channel_has_been_created", "user_has_joined_channel", "user_has_left_channel"]),
    ("team-hooks", &["user_has_joined_team", "user_has_left_team"]),
    ("user-hooks", &["user_has_been_created", "user_will_log_in", "user_has_logged_in"]),
    ("command-hooks", &["execute_command"]),
    ("http-hooks", &["serve_http"]),
    ("websocket-hooks", &["on_websocket_connect", "on_websocket_disconnect", "websocket_message_has_been_posted"]),
    ("cluster-hooks", &["on_plugin_cluster_event"]),
    ("job-hooks", &["run_job"]),
    ("veto-hooks", &["channel_member_will_be_added", "team_member_will_be_added", "channel_will_be_archived"]),
    ("account-hooks", &["user_has_been_deactivated"]),
    ("consume-hooks", &["messages_will_be_consumed"]),
    ("admin-hooks", &["on_install", "configuration_will_be_saved"]),
];

/// Marks the `impl confab_plugin::Plugin for MyPlugin { ... }` block of a plugin.
///
/// The block is kept as written. Next to it the attribute generates the component's
/// exports: one WIT interface per hook family that has at least one method in the
/// block (the family's other functions use the trait defaults), and nothing for the
/// rest. Use it once per component. The plugin type must implement `Default`; one
/// value is created per component instance on its first call. The generated code names
/// the SDK as `::confab_plugin`, so depend on it under that name.
#[proc_macro_attribute]
pub fn plugin(attr: TokenStream, item: TokenStream) -> TokenStream {
    if !attr.is_empty() {
        return syn::Error::new(
            TokenStream2::from(attr).into_iter().next().map_or(Span::call_site(), |t| t.span()),
            "#[confab_plugin::plugin] takes no arguments",
        )
        .into_compile_error()
        .into();
    }
    let imp = parse_macro_input!(item as ItemImpl);
    match expand(&imp) {
        Ok(generated) => quote!(#imp #generated).into(),
        // Keep the impl so its own errors still show, plus ours.
        Err(e) => {
            let e = e.into_compile_error();
            quote!(#imp #e).into()
        }
    }
}

fn expand(imp: &ItemImpl) -> syn::Result<TokenStream2> {
    let Some((_, trait_path, _)) = &imp.trait_ else {
        return Err(syn::Error::new_spanned(imp.self_ty.as_ref(), "#[confab_plugin::plugin] goes on `impl confab_plugin::Plugin for YourType`"));
    };
    if trait_path.segments.last().is_none_or(|s| s.ident != "Plugin") {
        return Err(syn::Error::new_spanned(trait_path, "#[confab_plugin::plugin] goes on an impl of `confab_plugin::Plugin`"));
    }
    if !imp.generics.params.is_empty() {
        // One component = one concrete plugin type; the exports need a concrete type.
        return Err(syn::Error::new_spanned(&imp.generics, "a plugin type cannot be generic: give the component one concrete type"));
    }

    let written: Vec<String> = imp
        .items
        .iter()
        .filter_map(|item| match item {
            ImplItem::Fn(f) => Some(f.sig.ident.to_string()),
            _ => None,
        })
        .collect();
    let families: Vec<&str> =
        FAMILIES.iter().filter(|(_, methods)| methods.iter().any(|m| written.iter().any(|w| w == m))).map(|(family, _)| *family).collect();

    let self_ty = &imp.self_ty;
    let wit = world_text(&families);
    let adapter = format_ident!("__ConfabPluginExports");
    let guest_impls = families.iter().map(|family| guest_impl(family, &adapter));
    // wit-bindgen rejects a `with` entry the world does not use, and e.g. `lifecycle`
    // uses no records.
    let with = if families.iter().any(|f| family_uses_types(f)) {
        let types = qualified("types");
        // The message hooks answer with `hook-post`'s verdict: the SDK's too.
        let hook_post = families.iter().any(|f| family_uses_hook_post(f)).then(|| {
            let hook_post = qualified("hook-post");
            quote!(#hook_post: ::confab_plugin::__private::hook_post,)
        });
        quote!(with: { #types: ::confab_plugin::__private::types, #hook_post },)
    } else {
        quote!()
    };
    // With no family at all there is no `export!` macro to call.
    let export = if families.is_empty() { quote!() } else { quote!(__confab_plugin_bindings::export!(#adapter with_types_in __confab_plugin_bindings);) };

    Ok(quote! {
        // A const block gives the generated items a private scope in which the plugin
        // type is still nameable exactly as the user wrote it. The canonical-ABI glue
        // is unsafe by nature; plugin crates may `deny(unsafe_code)` for their own code.
        #[allow(unsafe_code)]
        const _: () = {
            #[allow(unused, clippy::all, missing_docs, unsafe_op_in_unsafe_fn)]
            mod __confab_plugin_bindings {
                ::confab_plugin::__private::wit_bindgen::generate!({
                    path: [],
                    inline: #wit,
                    world: "exports",
                    runtime_path: "::confab_plugin::__private::wit_bindgen::rt",
                    // Records come from the SDK, so hooks and host calls share one type.
                    #with
                });
            }

            struct #adapter;

            impl #adapter {
                #[inline]
                fn plugin() -> &'static #self_ty {
                    ::confab_plugin::__private::instance::<#self_ty>()
                }
            }

            #(#guest_impls)*

            #export
        };
    })
}

/// The inline WIT handed to `generate!`: our world, then the whole `confab:plugin`
/// package as a nested package (the files minus their `package` lines).
fn world_text(families: &[&str]) -> String {
    let mut wit = String::from("package confab:plugin-guest;\n\nworld exports {\n");
    for family in families {
        wit.push_str(&format!("    export {};\n", qualified(family)));
    }
    wit.push_str("}\n\n");
    wit.push_str(&format!("package {WIT_PACKAGE} {{\n"));
    for file in WIT_FILES {
        for line in file.lines() {
            if !line.trim_start().starts_with("package ") {
                wit.push_str(line);
                wit.push('\n');
            }
        }
    }
    wit.push_str("}\n");
    wit
}

/// The `use` lines of the family's interface in hooks.wit.
fn family_uses(family: &str) -> Vec<&'static str> {
    let header = format!("interface {family} {{");
    let hooks = WIT_FILES[2];
    let Some(start) = hooks.find(&header) else {
        return Vec::new();
    };
    let body = &hooks[start..];
    let body = &body[..body.find("\n}").unwrap_or(body.len())];
    body.lines().map(str::trim_start).filter(|line| line.starts_with("use ")).collect()
}

/// Whether the family uses records: `types` directly, or through `hook-post`'s
/// verdict (whose interface uses `types`).
fn family_uses_types(family: &str) -> bool {
    family_uses(family).iter().any(|line| line.starts_with("use types.") || line.starts_with("use hook-post."))
}

/// Whether the family uses `hook-post`'s records (the message hooks).
fn family_uses_hook_post(family: &str) -> bool {
    family_uses(family).iter().any(|line| line.starts_with("use hook-post."))
}

fn qualified(family: &str) -> String {
    let (name, version) = WIT_PACKAGE.split_once('@').expect("WIT package has a version");
    format!("{name}/{family}@{version}")
}

/// The `Guest` impl of one family, forwarding every function to the plugin.
fn guest_impl(family: &str, adapter: &syn::Ident) -> TokenStream2 {
    let module = format_ident!("{}", family.replace('-', "_"));
    let body = post_and_channel_hooks(family, adapter)
        .or_else(|| lifecycle_team_and_user_hooks(family, adapter))
        .or_else(|| request_hooks(family, adapter))
        .or_else(|| hooks_since_0_2_0(family, adapter))
        .unwrap_or_else(|| unreachable!("family {family} is listed in FAMILIES but has no Guest impl"));
    quote! {
        impl __confab_plugin_bindings::exports::confab::plugin::#module::Guest for #adapter {
            #body
        }
    }
}

/// The forwarding functions of the message, reaction and channel hooks.
fn post_and_channel_hooks(family: &str, adapter: &syn::Ident) -> Option<TokenStream2> {
    let t = quote!(::confab_plugin::__private::types);
    Some(match family {
        "message-hooks" => {
            // The post is lent by the host: the SDK's `HookPost` reads it lazily.
            let h = quote!(::confab_plugin::__private::hook_post);
            quote! {
                fn message_will_be_posted() -> #h::PostVerdict {
                    ::confab_plugin::Plugin::message_will_be_posted(#adapter::plugin(), &::confab_plugin::HookPost::lent())
                }
                fn message_will_be_updated() -> #h::PostVerdict {
                    ::confab_plugin::Plugin::message_will_be_updated(
                        #adapter::plugin(), &::confab_plugin::HookPost::lent(), &::confab_plugin::HookPost::lent_old(),
                    )
                }
                fn message_has_been_posted() {
                    ::confab_plugin::Plugin::message_has_been_posted(#adapter::plugin(), &::confab_plugin::HookPost::lent())
                }
                fn message_has_been_updated() {
                    ::confab_plugin::Plugin::message_has_been_updated(
                        #adapter::plugin(), &::confab_plugin::HookPost::lent(), &::confab_plugin::HookPost::lent_old(),
                    )
                }
                fn message_has_been_deleted() {
                    ::confab_plugin::Plugin::message_has_been_deleted(#adapter::plugin(), &::confab_plugin::HookPost::lent())
                }
            }
        }
        "reaction-hooks" => quote! {
            fn reaction_has_been_added(ctx: #t::PluginContext, reaction: #t::Reaction) {
                ::confab_plugin::Plugin::reaction_has_been_added(#adapter::plugin(), &ctx, reaction)
            }
            fn reaction_has_been_removed(ctx: #t::PluginContext, reaction: #t::Reaction) {
                ::confab_plugin::Plugin::reaction_has_been_removed(#adapter::plugin(), &ctx, reaction)
            }
        },
        "channel-hooks" => quote! {
            fn channel_has_been_created(ctx: #t::PluginContext, channel: #t::Channel) {
                ::confab_plugin::Plugin::channel_has_been_created(#adapter::plugin(), &ctx, channel)
            }
            fn user_has_joined_channel(
                ctx: #t::PluginContext,
                member: #t::ChannelMember,
                actor: ::core::option::Option<#t::User>,
            ) {
                ::confab_plugin::Plugin::user_has_joined_channel(#adapter::plugin(), &ctx, member, actor)
            }
            fn user_has_left_channel(
                ctx: #t::PluginContext,
                member: #t::ChannelMember,
                actor: ::core::option::Option<#t::User>,
            ) {
                ::confab_plugin::Plugin::user_has_left_channel(#adapter::plugin(), &ctx, member, actor)
            }
        },
        _ => return None,
    })
}

/// The forwarding functions of the lifecycle, team and user hooks.
fn lifecycle_team_and_user_hooks(family: &str, adapter: &syn::Ident) -> Option<TokenStream2> {
    let t = quote!(::confab_plugin::__private::types);
    Some(match family {
        "lifecycle" => quote! {
            fn activate() -> ::core::result::Result<(), ::std::string::String> {
                ::confab_plugin::Plugin::activate(#adapter::plugin())
            }
            fn deactivate() {
                ::confab_plugin::Plugin::deactivate(#adapter::plugin())
            }
            fn configuration_changed() -> ::core::result::Result<(), ::std::string::String> {
                ::confab_plugin::Plugin::configuration_changed(#adapter::plugin())
            }
        },
        "team-hooks" => quote! {
            fn user_has_joined_team(
                ctx: #t::PluginContext,
                member: #t::TeamMember,
                actor: ::core::option::Option<#t::User>,
            ) {
                ::confab_plugin::Plugin::user_has_joined_team(#adapter::plugin(), &ctx, member, actor)
            }
            fn user_has_left_team(
                ctx: #t::PluginContext,
                member: #t::TeamMember,
                actor: ::core::option::Option<#t::User>,
            ) {
                ::confab_plugin::Plugin::user_has_left_team(#adapter::plugin(), &ctx, member, actor)
            }
        },
        "user-hooks" => quote! {
            fn user_has_been_created(ctx: #t::PluginContext, user: #t::User) {
                ::confab_plugin::Plugin::user_has_been_created(#adapter::plugin(), &ctx, user)
            }
            fn user_will_log_in(
                ctx: #t::PluginContext,
                user: #t::User,
            ) -> ::core::option::Option<::std::string::String> {
                ::confab_plugin::Plugin::user_will_log_in(#adapter::plugin(), &ctx, user)
            }
            fn user_has_logged_in(ctx: #t::PluginContext, user: #t::User) {
                ::confab_plugin::Plugin::user_has_logged_in(#adapter::plugin(), &ctx, user)
            }
        },
        _ => return None,
    })
}

/// The forwarding functions of the command, HTTP, WebSocket, cluster and job hooks.
fn request_hooks(family: &str, adapter: &syn::Ident) -> Option<TokenStream2> {
    let t = quote!(::confab_plugin::__private::types);
    Some(match family {
        "command-hooks" => quote! {
            fn execute_command(
                ctx: #t::PluginContext,
                args: #t::CommandArgs,
            ) -> ::core::result::Result<#t::CommandResponse, ::std::string::String> {
                ::confab_plugin::Plugin::execute_command(#adapter::plugin(), &ctx, args)
            }
        },
        "http-hooks" => quote! {
            fn serve_http(ctx: #t::PluginContext, request: #t::HttpRequest) -> #t::HttpResponse {
                ::confab_plugin::Plugin::serve_http(#adapter::plugin(), &ctx, request)
            }
        },
        "websocket-hooks" => quote! {
            fn on_websocket_connect(connection_id: ::std::string::String, user_id: ::std::string::String) {
                ::confab_plugin::Plugin::on_websocket_connect(#adapter::plugin(), &connection_id, &user_id)
            }
            fn on_websocket_disconnect(connection_id: ::std::string::String, user_id: ::std::string::String) {
                ::confab_plugin::Plugin::on_websocket_disconnect(#adapter::plugin(), &connection_id, &user_id)
            }
            fn websocket_message_has_been_posted(
                connection_id: ::std::string::String,
                user_id: ::std::string::String,
                request: #t::WebsocketRequest,
            ) {
                ::confab_plugin::Plugin::websocket_message_has_been_posted(
                    #adapter::plugin(), &connection_id, &user_id, request,
                )
            }
        },
        "cluster-hooks" => quote! {
            fn on_plugin_cluster_event(ctx: #t::PluginContext, event: #t::ClusterEvent) {
                ::confab_plugin::Plugin::on_plugin_cluster_event(#adapter::plugin(), &ctx, event)
            }
        },
        "job-hooks" => quote! {
            fn run_job(run: #t::JobRun) -> ::core::result::Result<(), ::std::string::String> {
                ::confab_plugin::Plugin::run_job(#adapter::plugin(), run)
            }
        },
        _ => return None,
    })
}

/// The forwarding functions of the families added in 0.2.0 (vetoes, accounts,
/// consumed posts, administration).
fn hooks_since_0_2_0(family: &str, adapter: &syn::Ident) -> Option<TokenStream2> {
    let t = quote!(::confab_plugin::__private::types);
    let reason = quote!(::core::option::Option<::std::string::String>);
    Some(match family {
        "veto-hooks" => quote! {
            fn channel_member_will_be_added(
                ctx: #t::PluginContext,
                member: #t::ChannelMember,
                actor: ::core::option::Option<#t::User>,
            ) -> #reason {
                ::confab_plugin::Plugin::channel_member_will_be_added(#adapter::plugin(), &ctx, member, actor)
            }
            fn team_member_will_be_added(
                ctx: #t::PluginContext,
                member: #t::TeamMember,
                actor: ::core::option::Option<#t::User>,
            ) -> #reason {
                ::confab_plugin::Plugin::team_member_will_be_added(#adapter::plugin(), &ctx, member, actor)
            }
            fn channel_will_be_archived(
                ctx: #t::PluginContext,
                channel: #t::Channel,
                actor: ::core::option::Option<#t::User>,
            ) -> #reason {
                ::confab_plugin::Plugin::channel_will_be_archived(#adapter::plugin(), &ctx, channel, actor)
            }
        },
        "account-hooks" => quote! {
            fn user_has_been_deactivated(ctx: #t::PluginContext, user: #t::User) {
                ::confab_plugin::Plugin::user_has_been_deactivated(#adapter::plugin(), &ctx, user)
            }
        },
        "consume-hooks" => quote! {
            fn messages_will_be_consumed(posts: ::std::vec::Vec<#t::Post>) -> ::std::vec::Vec<#t::Post> {
                ::confab_plugin::Plugin::messages_will_be_consumed(#adapter::plugin(), posts)
            }
        },
        "admin-hooks" => quote! {
            fn on_install(
                ctx: #t::PluginContext,
                event: #t::InstallEvent,
            ) -> ::core::result::Result<(), ::std::string::String> {
                ::confab_plugin::Plugin::on_install(#adapter::plugin(), &ctx, event)
            }
            fn configuration_will_be_saved(
                settings: ::std::string::String,
            ) -> ::core::result::Result<#reason, ::std::string::String> {
                ::confab_plugin::Plugin::configuration_will_be_saved(#adapter::plugin(), &settings)
            }
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_hook_in_the_wit_is_mapped_to_its_family() {
        // Walk hooks.wit: `interface x {` opens a family, `name: func(` is a hook.
        let mut family = String::new();
        let mut seen = 0;
        for line in WIT_FILES[2].lines().map(str::trim) {
            if let Some(rest) = line.strip_prefix("interface ") {
                family = rest.trim_end_matches(['{', ' ']).to_owned();
            } else if let Some((name, _)) = line.split_once(": func(") {
                let method = name.replace('-', "_");
                let listed = FAMILIES.iter().find(|(f, _)| *f == family).unwrap_or_else(|| panic!("family {family} missing from FAMILIES"));
                assert!(listed.1.contains(&method.as_str()), "{method} missing from {family}");
                seen += 1;
            }
        }
        let listed: usize = FAMILIES.iter().map(|(_, m)| m.len()).sum();
        assert_eq!(seen, listed, "FAMILIES lists hooks that hooks.wit does not have");
    }

    #[test]
    fn families_that_use_records_are_detected() {
        assert!(!family_uses_types("lifecycle"));
        assert!(family_uses_types("message-hooks"));
        assert!(family_uses_hook_post("message-hooks"));
        assert!(!family_uses_hook_post("cluster-hooks"));
        assert!(family_uses_types("cluster-hooks"));
        assert!(family_uses_types("job-hooks"));
        assert!(!family_uses_types("no-such-family"));
    }

    #[test]
    fn world_exports_only_the_given_families() {
        let wit = world_text(&["lifecycle", "http-hooks"]);
        let world = &wit[..wit.find("}\n").expect("world block")];
        assert!(world.contains("export confab:plugin/lifecycle@0.2.0;"));
        assert!(world.contains("export confab:plugin/http-hooks@0.2.0;"));
        assert_eq!(world.matches("export ").count(), 2);
        assert_eq!(wit.matches("\npackage ").count(), 1, "one nested package");
    }
}
