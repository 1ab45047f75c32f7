//! Test databases for this crate's tests and the e2e suite: a SQLite file in a directory the caller owns, or a private PostgreSQL schema when `CONFAB_TEST_DATABASE_URL` is set.
//!
//! Every PostgreSQL test gets its own schema (`confab_t_<id>`), chosen through the
//! connection's `search_path`, so tests running in parallel never see each other's
//! rows; the schema is dropped when the guard is.

use std::io::Write;
use std::path::Path;

/// The variable naming the PostgreSQL server for tests (CI sets
/// `postgres://postgres@127.0.0.1:5432/test`).
pub const DATABASE_URL_ENV: &str = "CONFAB_TEST_DATABASE_URL";

/// A SQLite database URL for a file in `dir`.
pub fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", dir.join("confab.db").display())
}

/// A private schema on the test PostgreSQL server; dropped on drop.
pub struct PgSchema {
    /// URL whose connections use only this schema.
    pub url: String,
    admin_url: String,
    schema: String,
}

impl PgSchema {
    /// Create a fresh schema, or `None` when `CONFAB_TEST_DATABASE_URL` is not set (or empty). In
    /// that case the line `skipped PostgreSQL: CONFAB_TEST_DATABASE_URL not set` is
    /// written straight to stderr (past the test harness' capture), so a run without
    /// PostgreSQL says so instead of passing silently.
    pub async fn create(test_name: &str) -> Option<PgSchema> {
        // Set but empty counts as not set, so `CONFAB_TEST_DATABASE_URL= cmd` turns it off.
        let Some(admin_url) = std::env::var(DATABASE_URL_ENV).ok().filter(|url| !url.is_empty()) else {
            let _ = writeln!(std::io::stderr(), "{test_name}: skipped PostgreSQL: {DATABASE_URL_ENV} not set");
            return None;
        };
        let schema = format!("confab_t_{}", crate::ids::new_id());
        crate::store::create_schema(&admin_url, &schema).await.unwrap_or_else(|e| panic!("{DATABASE_URL_ENV}: cannot create a test schema: {e}"));
        let separator = if admin_url.contains('?') { '&' } else { '?' };
        // `application_name` names the schema's connections, so a test can end them.
        let url = format!("{admin_url}{separator}options=-c%20search_path%3D{schema}&application_name={schema}");
        Some(PgSchema { url, admin_url, schema })
    }

    /// End every server connection to this schema (as a PostgreSQL restart would),
    /// leaving the database and everyone else's connections up; how many ended.
    pub async fn terminate_connections(&self) -> u64 {
        crate::store::terminate_backends(&self.admin_url, &self.schema)
            .await
            .unwrap_or_else(|e| panic!("{DATABASE_URL_ENV}: cannot end the schema's connections: {e}"))
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        // Drop runs inside the test's runtime, which cannot be blocked on; a short-lived
        // thread with its own runtime does the cleanup.
        let (url, schema) = (self.admin_url.clone(), self.schema.clone());
        let cleanup = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            runtime.block_on(async move {
                let _ = crate::store::drop_schema(&url, &schema).await;
            });
        });
        let _ = cleanup.join();
    }
}
