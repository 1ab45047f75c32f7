//! TEMP scaffold mirroring cbus's foundation API, for compile checks only; replaced by the merge.
use std::future::Future;
pub const PLUGINS_CHANGED: &str = "plugins.changed";
pub struct Cluster {
    node_id: String,
    namespace: String,
    client: async_nats::Client,
}
impl Cluster {
    pub fn node_id(&self) -> &str {
        &self.node_id
    }
    pub fn subject(&self, name: &str) -> String {
        format!("confab.{}.{name}", self.namespace)
    }
    pub fn plugin_subject(&self, plugin_id: &str) -> String {
        self.subject(&format!("plugins.cluster.{plugin_id}"))
    }
    pub fn client(&self) -> &async_nats::Client {
        &self.client
    }
    pub fn subscribe_loop<F, Fut>(&self, subject: impl Into<String>, handle: F) -> tokio::task::JoinHandle<()>
    where
        F: Fn(async_nats::Message) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send,
    {
        let subject = subject.into();
        let client = self.client.clone();
        tokio::spawn(async move {
            use futures_util::StreamExt;
            let mut s = client.subscribe(subject).await.unwrap();
            while let Some(m) = s.next().await {
                handle(m).await;
            }
        })
    }
}
