//! A small client for the plugin administration API of a running server, used by `confab plugin install|list|enable|disable|remove|status|approve`.

use std::path::Path;

use anyhow::{Context, bail};
use serde_json::Value;

/// Where the server is and who is asking.
#[derive(Debug, Clone, clap::Args)]
pub struct ServerArgs {
    /// The server's URL.
    #[arg(long, env = "CONFAB_URL", default_value = "http://127.0.0.1:8065")]
    pub url: String,
    /// A system admin's session or personal access token.
    #[arg(long, env = "CONFAB_TOKEN", hide_env_values = true)]
    pub token: String,
}

/// The API client.
pub struct Admin {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl Admin {
    /// A client for `args`.
    pub fn new(args: &ServerArgs) -> anyhow::Result<Admin> {
        crate::outbound::install_tls_provider();
        let client = reqwest::Client::builder().build().context("cannot build the HTTP client")?;
        Ok(Admin { client, base: args.url.trim_end_matches('/').to_string(), token: args.token.clone() })
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, format!("{}{path}", self.base)).bearer_auth(&self.token)
    }

    /// Send, and turn a Mattermost error body into an error that names its id.
    async fn send(&self, request: reqwest::RequestBuilder) -> anyhow::Result<Value> {
        let response = request.send().await.with_context(|| format!("cannot reach {}", self.base))?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        if !status.is_success() {
            let message = body["message"].as_str().unwrap_or_default();
            let detail = body["detailed_error"].as_str().unwrap_or_default();
            bail!("{status}: {message} {detail} ({})", body["id"].as_str().unwrap_or("no error id"));
        }
        Ok(body)
    }

    /// Upload a bundle (with its `.sig` when one lies beside it or is given).
    pub async fn install_file(&self, bundle: &Path, signature: Option<&Path>, force: bool) -> anyhow::Result<Value> {
        let bytes = std::fs::read(bundle).with_context(|| format!("cannot read {}", bundle.display()))?;
        let beside = std::path::PathBuf::from(format!("{}.sig", bundle.display()));
        let signature = match signature {
            Some(path) => Some(std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?),
            None => std::fs::read_to_string(&beside).ok(),
        };
        let name = bundle.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "plugin.tar.gz".into());
        let mut form = reqwest::multipart::Form::new().part("plugin", reqwest::multipart::Part::bytes(bytes).file_name(name));
        if force {
            form = form.text("force", "true");
        }
        if let Some(signature) = signature {
            form = form.text("signature", signature.trim().to_string());
        }
        self.send(self.request(reqwest::Method::POST, "/api/v4/plugins").multipart(form)).await
    }

    /// Have the server download and install a bundle.
    pub async fn install_url(&self, url: &str, force: bool) -> anyhow::Result<Value> {
        let endpoint = reqwest::Url::parse_with_params(
            &format!("{}/api/v4/plugins/install_from_url", self.base),
            [("plugin_download_url", url), ("force", if force { "true" } else { "false" })],
        )
        .context("invalid server URL")?;
        self.send(self.client.post(endpoint).bearer_auth(&self.token)).await
    }

    /// `GET /api/v4/plugins`.
    pub async fn list(&self) -> anyhow::Result<Value> {
        self.send(self.request(reqwest::Method::GET, "/api/v4/plugins")).await
    }

    /// `GET /api/v4/plugins/statuses`.
    pub async fn statuses(&self) -> anyhow::Result<Value> {
        self.send(self.request(reqwest::Method::GET, "/api/v4/plugins/statuses")).await
    }

    /// `POST /api/v4/plugins/{id}/{action}` (enable, disable, permissions/approve).
    pub async fn action(&self, id: &str, action: &str) -> anyhow::Result<Value> {
        self.send(self.request(reqwest::Method::POST, &format!("/api/v4/plugins/{id}/{action}"))).await
    }

    /// `DELETE /api/v4/plugins/{id}`.
    pub async fn remove(&self, id: &str) -> anyhow::Result<Value> {
        self.send(self.request(reqwest::Method::DELETE, &format!("/api/v4/plugins/{id}"))).await
    }
}
