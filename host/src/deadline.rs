//! A hook call's wall clock: its deadline, and the pacing that keeps a long-running call to a share of a thread.
//!
//! Most hooks run to completion in one poll (pure computation, no awaited host call),
//! and registering a tokio timer and cancelling it again would be a measurable share of
//! a microsecond-scale call. A call suspends when it waits in a host call (the database,
//! an outbound request) or when it has burnt `deadline_check_fuel` units and yields
//! (see `engine.rs`); the timer is armed at the first suspension, set to the same
//! instant, and looked at on every later one. So a wait in a host call ends at the
//! deadline, and a running loop within one yield interval of it.
//!
//! Pacing: the time a call spends inside `poll` is time it runs (wasm, and the
//! synchronous part of host calls; waits in host calls return `Pending` and cost no
//! poll time). Past [`Pacing::grace`] of running time, every further millisecond of
//! running owes a pause, so the plugin's calls past their grace together get at most
//! [`Pacing::share_percent`] of a thread (each of n such calls gets 1/n of it) until
//! their deadline or fuel ends them. Without it, a plugin looping until its fuel runs
//! out holds a whole core at full speed for that time, and on a small machine every
//! other request queues behind it; paced, the same work is spread thin and the cost of
//! a runaway falls on the runaway's own request, which waits longer.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::time::Sleep;

/// How much of a thread a long-running call may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pacing {
    /// Running time a call gets at full speed. A hook that needs more than this is rare
    /// (a Rust hook runs for microseconds, a JavaScript or Python one for tens of them).
    pub grace: Duration,
    /// Past `grace`, the share of one thread a plugin's calls may use together, in
    /// percent, 1 to 100; 100 never pauses a plugin's only long call.
    pub share_percent: u32,
}

impl Pacing {
    /// Never pause: for one-off lifecycle calls (instantiation, `activate`), whose
    /// duration is part of a load and not competing with requests.
    pub const UNPACED: Pacing = Pacing { grace: Duration::MAX, share_percent: 100 };

    /// The pause owed for `over`, running time past the grace, by one of `paced_calls`
    /// calls of the same plugin that are past theirs: each gets `share / paced_calls`,
    /// so running `r` owes `r · (100 · paced_calls − share) / share`.
    fn pause_for(&self, over: Duration, paced_calls: usize) -> Duration {
        let share = u128::from(self.share_percent.clamp(1, 100));
        let calls = paced_calls.max(1) as u128;
        let nanos = over.as_nanos() * (100 * calls - share) / share;
        Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }
}

impl Default for Pacing {
    /// 10 ms at full speed, then a quarter of a thread: a loop that burns a 500M-fuel
    /// budget (about 80 ms of a core) then takes about a third of a second, well inside
    /// the default 1 s deadline.
    fn default() -> Self {
        Pacing { grace: Duration::from_millis(10), share_percent: 25 }
    }
}

/// Pauses shorter than this are saved up: tokio's timer ticks in milliseconds, so a
/// shorter sleep would round up and pause more than owed.
const MIN_PAUSE: Duration = Duration::from_millis(1);

/// How many of one plugin's calls are past their grace right now; they share the
/// plugin's pacing share between them.
#[derive(Debug, Default)]
pub(crate) struct PacedCalls(AtomicUsize);

impl PacedCalls {
    /// Calls past their grace now.
    pub(crate) fn now(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }
}

/// The call was still pending at its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DeadlinePassed;

/// Run `future`, started at `started`, until `deadline`, paced by `pacing` together
/// with the plugin's other calls counted in `paced_calls`; see the module docs for
/// when the timer exists.
pub(crate) fn within<F: Future + Unpin>(started: Instant, deadline: Instant, pacing: Pacing, paced_calls: &PacedCalls, future: F) -> Within<'_, F> {
    Within {
        future,
        deadline,
        pacing,
        paced_calls,
        counted: false,
        timer: None,
        timer_at: deadline,
        first_poll_began: Some(started),
        ran: Duration::ZERO,
        owed: Duration::ZERO,
        pause_from: None,
    }
}

/// The future returned by [`within`].
pub(crate) struct Within<'a, F> {
    future: F,
    deadline: Instant,
    pacing: Pacing,
    paced_calls: &'a PacedCalls,
    /// Whether this call is past its grace and counted in `paced_calls`.
    counted: bool,
    timer: Option<Pin<Box<Sleep>>>,
    /// The instant `timer` is set to: the deadline, or the end of a pause.
    timer_at: Instant,
    /// The call's start, until the first poll takes it as its own start (later polls
    /// are timed themselves).
    first_poll_began: Option<Instant>,
    /// Running time so far: the sum of the time spent inside `poll`.
    ran: Duration,
    /// Pause owed and not yet taken.
    owed: Duration,
    /// Set while pausing: when the pause began.
    pause_from: Option<Instant>,
}

impl<F> Within<'_, F> {
    /// Point the timer at `at`, creating it on first use.
    fn arm(&mut self, at: Instant) -> &mut Pin<Box<Sleep>> {
        if let Some(timer) = self.timer.as_mut().filter(|_| self.timer_at != at) {
            timer.as_mut().reset(at.into());
        }
        self.timer_at = at;
        self.timer.get_or_insert_with(|| Box::pin(tokio::time::sleep_until(at.into())))
    }
}

impl<F> Drop for Within<'_, F> {
    fn drop(&mut self) {
        if self.counted {
            self.paced_calls.0.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

impl<F: Future + Unpin> Future for Within<'_, F> {
    type Output = Result<F::Output, DeadlinePassed>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        if let Some(pause_from) = this.pause_from {
            // The call woke itself when it yielded; it waits for the pause regardless.
            if this.timer.as_mut().expect("a pause arms the timer").as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            let now = Instant::now();
            if now >= this.deadline {
                return Poll::Ready(Err(DeadlinePassed));
            }
            this.owed = this.owed.saturating_sub(now - pause_from);
            this.pause_from = None;
        }
        // The first poll is timed from the call's start, so a call that finishes in it
        // reads the clock no more than it did before pacing existed.
        let poll_began = this.first_poll_began.take().unwrap_or_else(Instant::now);
        if let Poll::Ready(output) = Pin::new(&mut this.future).poll(cx) {
            return Poll::Ready(Ok(output));
        }
        let now = Instant::now();
        let ran_now = now.saturating_duration_since(poll_began);
        this.ran += ran_now;
        if this.ran > this.pacing.grace {
            if !this.counted {
                this.counted = true;
                this.paced_calls.0.fetch_add(1, Ordering::Relaxed);
            }
            let over = ran_now.min(this.ran - this.pacing.grace);
            this.owed += this.pacing.pause_for(over, this.paced_calls.now());
        }
        let deadline = this.deadline;
        let wake_at = if this.owed >= MIN_PAUSE {
            this.pause_from = Some(now);
            (now + this.owed).min(deadline)
        } else {
            deadline
        };
        match this.arm(wake_at).as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(()) if Instant::now() >= deadline => Poll::Ready(Err(DeadlinePassed)),
            // A pause that already ended (it can only end early at the deadline, which
            // is handled above): poll again at once.
            Poll::Ready(()) => {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNPACED: Pacing = Pacing::UNPACED;

    #[tokio::test]
    async fn a_ready_future_needs_no_timer_and_keeps_its_output() {
        let calls = PacedCalls::default();
        let now = Instant::now();
        let mut call = within(now, now + Duration::from_secs(1), Pacing::default(), &calls, std::future::ready(7));
        let output = std::future::poll_fn(|cx| Pin::new(&mut call).poll(cx)).await;
        assert_eq!(output, Ok(7));
        assert!(call.timer.is_none(), "a call that never suspends must not register a timer");
    }

    #[tokio::test]
    async fn a_pending_future_is_cut_at_the_deadline() {
        let started = Instant::now();
        let output = within(started, started + Duration::from_millis(50), UNPACED, &PacedCalls::default(), std::future::pending::<()>()).await;
        assert_eq!(output, Err(DeadlinePassed));
    }

    #[tokio::test]
    async fn a_future_that_suspends_and_finishes_in_time_succeeds() {
        let slow = Box::pin(async {
            tokio::time::sleep(Duration::from_millis(10)).await;
            "done"
        });
        let now = Instant::now();
        assert_eq!(within(now, now + Duration::from_millis(50), Pacing::default(), &PacedCalls::default(), slow).await, Ok("done"));
    }

    /// Like a plugin in a loop under fuel metering: each poll runs for `slice`, then
    /// yields (wakes itself and returns `Pending`). Never finishes.
    struct Spinner {
        slice: Duration,
        ran: Duration,
    }

    impl Future for Spinner {
        type Output = ();
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            let began = Instant::now();
            while began.elapsed() < self.slice {
                std::hint::spin_loop();
            }
            self.ran += began.elapsed();
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }

    /// Spin until a 300 ms deadline under `pacing`; returns the time spent running.
    async fn spin_until_deadline(pacing: Pacing) -> Duration {
        let mut spinner = Spinner { slice: Duration::from_micros(200), ran: Duration::ZERO };
        let started = Instant::now();
        let deadline = started + Duration::from_millis(300);
        let calls = PacedCalls::default();
        let output = within(started, deadline, pacing, &calls, &mut spinner).await;
        assert_eq!(calls.now(), 0, "a finished call leaves the plugin's count of paced calls");
        assert_eq!(output, Err(DeadlinePassed));
        assert!(started.elapsed() < Duration::from_millis(300 + 100), "the deadline ends a paced call too: {:?}", started.elapsed());
        spinner.ran
    }

    #[tokio::test]
    async fn a_long_call_past_its_grace_gets_its_share_of_a_thread() {
        // 20 ms at full speed, then a quarter: about 20 + 280 / 4 = 90 ms of 300.
        // Unpaced, the spinner would run for the whole 300 ms; the bound leaves room
        // for a busy machine stretching the slices.
        let ran = spin_until_deadline(Pacing { grace: Duration::from_millis(20), share_percent: 25 }).await;
        assert!(ran < Duration::from_millis(180), "a paced loop ran {ran:?} of 300 ms");
        assert!(ran >= Duration::from_millis(20), "the grace runs at full speed: ran {ran:?}");
    }

    #[tokio::test]
    async fn an_unpaced_call_runs_until_its_deadline() {
        let ran = spin_until_deadline(UNPACED).await;
        assert!(ran >= Duration::from_millis(250), "an unpaced loop ran only {ran:?} of 300 ms");
    }

    #[tokio::test]
    async fn a_call_within_its_grace_is_never_paused() {
        // Ten 1 ms slices, then done: 10 ms of running, all inside a 50 ms grace.
        let mut left = 10;
        let work = std::future::poll_fn(move |cx| {
            let began = Instant::now();
            while began.elapsed() < Duration::from_millis(1) {
                std::hint::spin_loop();
            }
            left -= 1;
            if left == 0 {
                return Poll::Ready("done");
            }
            cx.waker().wake_by_ref();
            Poll::Pending
        });
        let started = Instant::now();
        let calls = PacedCalls::default();
        let mut call = within(started, started + Duration::from_secs(5), Pacing { grace: Duration::from_millis(50), share_percent: 10 }, &calls, work);
        let output = (&mut call).await;
        assert_eq!(output, Ok("done"));
        assert_eq!(call.owed, Duration::ZERO);
        assert!(call.pause_from.is_none());
        assert!(!call.counted, "a call within its grace is not one of the plugin's paced calls");
    }

    #[test]
    fn paced_calls_of_one_plugin_split_its_share() {
        let quarter = Pacing { grace: Duration::ZERO, share_percent: 25 };
        let ms = Duration::from_millis(1);
        // Alone: run 1, pause 3 (a quarter of a thread).
        assert_eq!(quarter.pause_for(ms, 1), 3 * ms);
        // Two at once: each runs 1 and pauses 7 (an eighth each, a quarter together).
        assert_eq!(quarter.pause_for(ms, 2), 7 * ms);
        // A full share never pauses a lone call, and splits a thread between two.
        let full = Pacing { grace: Duration::ZERO, share_percent: 100 };
        assert_eq!(full.pause_for(ms, 1), Duration::ZERO);
        assert_eq!(full.pause_for(ms, 2), ms);
        // A count of 0 (read before an increment was seen) counts as one.
        assert_eq!(quarter.pause_for(ms, 0), 3 * ms);
    }

    #[tokio::test]
    async fn a_call_counts_as_paced_from_its_grace_until_it_ends() {
        let calls = PacedCalls::default();
        let started = Instant::now();
        let mut spinner = Spinner { slice: Duration::from_millis(2), ran: Duration::ZERO };
        let mut call = within(started, started + Duration::from_secs(5), Pacing { grace: Duration::from_millis(1), share_percent: 50 }, &calls, &mut spinner);
        let first = std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut call).poll(cx))).await;
        assert!(first.is_pending());
        assert_eq!(call.paced_calls.now(), 1, "past its grace, the call is counted");
        drop(call);
        assert_eq!(calls.now(), 0, "a dropped call (cancelled at its deadline or by its caller) is no longer counted");
    }
}
