//! A wall-clock deadline for one hook call that arms its timer only if the call suspends.
//!
//! Most hooks run to completion in one poll (pure computation, no awaited host call),
//! and registering a tokio timer and cancelling it again would be a measurable share of
//! a microsecond-scale call. A call suspends when it waits in a host call (the database,
//! an outbound request) or when it has burnt `deadline_check_fuel` units and yields
//! (see `engine.rs`); the timer is armed at the first suspension, set to the same
//! instant, and looked at on every later one. So a wait in a host call ends at the
//! deadline, and a running loop within one yield interval of it.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use tokio::time::Sleep;

/// The call was still pending at its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DeadlinePassed;

/// Run `future` until `deadline`; see the module docs for when the timer exists.
pub(crate) fn within<F: Future + Unpin>(deadline: Instant, future: F) -> Within<F> {
    Within { future, deadline, timer: None }
}

/// The future returned by [`within`].
pub(crate) struct Within<F> {
    future: F,
    deadline: Instant,
    timer: Option<Pin<Box<Sleep>>>,
}

impl<F: Future + Unpin> Future for Within<F> {
    type Output = Result<F::Output, DeadlinePassed>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        if let Poll::Ready(output) = Pin::new(&mut this.future).poll(cx) {
            return Poll::Ready(Ok(output));
        }
        let deadline = this.deadline;
        let timer = this.timer.get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline.into())));
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(DeadlinePassed)),
            Poll::Pending => Poll::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_ready_future_needs_no_timer_and_keeps_its_output() {
        let mut call = within(Instant::now() + Duration::from_secs(1), std::future::ready(7));
        let output = std::future::poll_fn(|cx| Pin::new(&mut call).poll(cx)).await;
        assert_eq!(output, Ok(7));
        assert!(call.timer.is_none(), "a call that never suspends must not register a timer");
    }

    #[tokio::test]
    async fn a_pending_future_is_cut_at_the_deadline() {
        let started = Instant::now();
        let output = within(started + Duration::from_millis(50), std::future::pending::<()>()).await;
        assert_eq!(output, Err(DeadlinePassed));
    }

    #[tokio::test]
    async fn a_future_that_suspends_and_finishes_in_time_succeeds() {
        let slow = Box::pin(async {
            tokio::time::sleep(Duration::from_millis(10)).await;
            "done"
        });
        assert_eq!(within(Instant::now() + Duration::from_millis(50), slow).await, Ok("done"));
    }
}
