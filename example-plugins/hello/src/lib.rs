//! The `hello` example plugin: registers `/hello` and greets whoever runs it.

use confab_plugin::commands::{self, Command};
use confab_plugin::prelude::*;
use confab_plugin::{log, users};

#[derive(Default)]
struct Hello;

#[plugin]
impl Plugin for Hello {
    fn activate(&self) -> Result<(), String> {
        commands::register(&Command::new("hello", "Say hello").hint("[name]"))?;
        log::info("hello activated", &[("command", "/hello")]);
        Ok(())
    }

    fn execute_command(&self, _ctx: &PluginContext, args: CommandArgs) -> Result<CommandResponse, String> {
        let name = match users::get(&args.user_id) {
            Ok(user) => format!("@{}", user.username),
            Err(e) => {
                log::warn("could not look up the caller", &[("user_id", &args.user_id), ("error", &e.to_string())]);
                "there".to_owned()
            }
        };
        Ok(CommandResponse::ephemeral(format!("Hello, {name}!")))
    }
}
