//! `Paging`: Mattermost's `page` + `per_page` query parameters (60 by default, at most 200).

use serde::Deserialize;

use super::Invalid;
use crate::domain::error_ids;

/// Default page size (Mattermost's).
pub const DEFAULT_PER_PAGE: u32 = 60;
/// Largest page; larger requests are clamped, as Mattermost does.
pub const MAX_PER_PAGE: u32 = 200;
/// Highest page number accepted. Beyond it `page * per_page` would leave the range
/// every backend can `OFFSET` by, so it is an error rather than an empty page.
pub const MAX_PAGE: i64 = 1_000_000;

/// The raw query parameters, as text so that bad values become Mattermost's
/// `invalid_url_param` error instead of axum's plain-text rejection.
#[derive(Debug, Default, Deserialize)]
pub struct PagingQuery {
    /// 0-based page number.
    pub page: Option<String>,
    /// Items per page.
    pub per_page: Option<String>,
}

/// Validated paging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    /// 0-based page number.
    pub page: u32,
    /// Items per page, 1..=200.
    pub per_page: u32,
}

impl Default for Paging {
    fn default() -> Self {
        Paging { page: 0, per_page: DEFAULT_PER_PAGE }
    }
}

impl Paging {
    /// Parse and check the query values.
    pub fn parse(query: &PagingQuery) -> Result<Paging, Invalid> {
        let bad = |name: &str| Invalid::new(error_ids::context::INVALID_URL_PARAM, format!("Invalid or missing {name} parameter in request URL."));
        let page = match query.page.as_deref() {
            None | Some("") => 0,
            Some(text) => match text.parse::<i64>() {
                Ok(n) if (0..=MAX_PAGE).contains(&n) => n as u32,
                _ => return Err(bad("page")),
            },
        };
        let per_page = match query.per_page.as_deref() {
            None | Some("") => DEFAULT_PER_PAGE,
            Some(text) => match text.parse::<i64>() {
                Ok(n) if n > 0 => n.min(MAX_PER_PAGE as i64) as u32,
                _ => return Err(bad("per_page")),
            },
        };
        Ok(Paging { page, per_page })
    }

    /// SQL `OFFSET`.
    pub fn offset(&self) -> i64 {
        i64::from(self.page) * i64::from(self.per_page)
    }

    /// SQL `LIMIT`.
    pub fn limit(&self) -> i64 {
        i64::from(self.per_page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(page: Option<&str>, per_page: Option<&str>) -> Result<Paging, Invalid> {
        Paging::parse(&PagingQuery { page: page.map(str::to_string), per_page: per_page.map(str::to_string) })
    }

    #[test]
    fn defaults_clamping_and_errors() {
        assert_eq!(parse(None, None).unwrap(), Paging { page: 0, per_page: 60 });
        assert_eq!(parse(Some("2"), Some("10")).unwrap(), Paging { page: 2, per_page: 10 });
        assert_eq!(parse(None, Some("1000")).unwrap().per_page, 200, "clamped like Mattermost");
        for (page, per_page) in [(Some("-1"), None), (Some("x"), None), (None, Some("0")), (None, Some("-5")), (Some("99999999999"), None)] {
            assert_eq!(parse(page, per_page).unwrap_err().id, "api.context.invalid_url_param.app_error", "{page:?} {per_page:?}");
        }
    }
}
