//! Teams and team memberships with Mattermost's JSON shapes and name rules.

use serde::{Deserialize, Serialize};

use super::{Invalid, is_valid_slug};
use crate::domain::error_ids;

/// Team names Mattermost reserves because they collide with web-app routes.
const RESERVED_TEAM_NAMES: [&str; 12] = ["admin", "api", "channel", "claim", "error", "files", "help", "login", "oauth", "plugins", "post", "signup"];

/// A team; `type` is `O` (open: anyone may join) or `I` (invite only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Team {
    pub id: String,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    pub display_name: String,
    pub name: String,
    pub description: String,
    pub email: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub company_name: String,
    pub allowed_domains: String,
    pub invite_id: String,
    pub allow_open_invite: bool,
    pub scheme_id: Option<String>,
    pub group_constrained: Option<bool>,
    pub policy_id: Option<String>,
}

/// `POST /teams` body.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NewTeam {
    pub name: String,
    pub display_name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub description: String,
    pub email: String,
    pub allow_open_invite: Option<bool>,
}

/// A membership. `roles` is `team_user`, plus `team_admin` for the creator.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TeamMember {
    pub team_id: String,
    pub user_id: String,
    pub roles: String,
    pub delete_at: i64,
    pub scheme_user: bool,
    pub scheme_admin: bool,
    pub scheme_guest: bool,
    pub explicit_roles: String,
}

impl TeamMember {
    /// A member with `roles`; the scheme flags follow from them.
    pub fn new(team_id: &str, user_id: &str, roles: &str) -> TeamMember {
        TeamMember {
            team_id: team_id.into(),
            user_id: user_id.into(),
            roles: roles.into(),
            delete_at: 0,
            scheme_user: true,
            scheme_admin: roles.split_whitespace().any(|r| r == "team_admin"),
            scheme_guest: false,
            explicit_roles: String::new(),
        }
    }

    /// Whether the member administers the team.
    pub fn is_admin(&self) -> bool {
        self.scheme_admin
    }
}

/// Check a new team's fields (Mattermost's `Team.IsValid`).
pub fn validate_new_team(team: &NewTeam) -> Result<(), Invalid> {
    if !is_valid_slug(&team.name, 2) || RESERVED_TEAM_NAMES.contains(&team.name.as_str()) {
        return Err(Invalid::new(error_ids::teams::IS_VALID_NAME, "Name must be 2 or more lowercase alphanumeric characters and not a reserved word."));
    }
    let display = team.display_name.chars().count();
    if display == 0 || display > 64 {
        return Err(Invalid::new(error_ids::teams::IS_VALID_NAME, "Display name must be between 1 and 64 characters."));
    }
    if !matches!(team.kind.as_str(), "O" | "I") {
        return Err(Invalid::new(error_ids::teams::IS_VALID_TYPE, "Invalid type: expected O or I."));
    }
    if team.description.chars().count() > 255 {
        return Err(Invalid::new(error_ids::teams::IS_VALID_DESCRIPTION, "Description must be at most 255 characters."));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn team_rules() {
        let team = |name: &str, kind: &str| NewTeam { name: name.into(), display_name: "D".into(), kind: kind.into(), ..NewTeam::default() };
        assert!(validate_new_team(&team("eng", "O")).is_ok());
        assert!(validate_new_team(&team("e", "O")).is_err());
        assert!(validate_new_team(&team("api", "O")).is_err());
        assert!(validate_new_team(&team("eng", "X")).is_err());
        assert!(validate_new_team(&NewTeam { display_name: String::new(), ..team("eng", "O") }).is_err());
    }
}
