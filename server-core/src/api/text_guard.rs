//! Middleware refusing a request whose path or query decodes to a NUL character, before any route sees it: no path parameter or query value can carry one into a use case or the database.

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::ApiError;
use super::error::ids;

/// Whether the percent-encoded `text` (a path or a query) decodes to a NUL. A URI
/// cannot hold a raw NUL byte (the HTTP parser refuses it), and percent-decoding is one
/// pass where `%00` is the only spelling of byte 0 (`%2500` decodes to the text
/// `%00`), so finding `%00` is exact, for paths and for `application/x-www-form-urlencoded`
/// queries alike.
fn decodes_to_nul(text: &str) -> bool {
    text.contains("%00")
}

/// Refuse requests with a NUL in the path or query with Mattermost's
/// `invalid_url_param` 400.
pub(crate) async fn layer(request: Request, next: Next) -> Response {
    let uri = request.uri();
    if decodes_to_nul(uri.path()) || uri.query().is_some_and(decodes_to_nul) {
        return ApiError::new(StatusCode::BAD_REQUEST, ids::INVALID_URL_PARAM, "Invalid or missing parameter in request URL.")
            .with_detail("the URL must not contain NUL (%00) characters")
            .into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_encoded_zero_byte_counts() {
        assert!(decodes_to_nul("/api/v4/users/username/a%00b"));
        assert!(decodes_to_nul("in_team=x%00"));
        assert!(decodes_to_nul("x=%%00"));
        assert!(!decodes_to_nul("/api/v4/users/username/a%2500b"), "%25 is a percent sign: the text `%00`, no NUL");
        assert!(!decodes_to_nul("page=100&per_page=0"));
        assert!(!decodes_to_nul("q=%20%0A"));
    }
}
