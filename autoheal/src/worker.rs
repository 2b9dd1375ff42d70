//! The background worker: one named thread per process that owns the network.
//!
//! A failing thread hands its report off (a synced file in the queue, then a message here) and
//! returns; it never waits for GitHub, for another process's lock, or for the symbol table.
//! The worker takes the reports one at a time, oldest first: resolves symbols, fingerprints,
//! stores and sends them, with the de-duplication, throttle, flood guard and rate limits of
//! the GitHub sink. The hand-off is bounded: when the worker is behind, reports wait in the
//! queue on disk, never in memory, and the caller is never blocked.
//!
//! The worker also sends what earlier runs left in the queue, as soon as `init` returns, and
//! tries again while GitHub is unreachable (after 30 seconds, doubling up to 15 minutes).
//! After GitHub's answer it sends the notifications that wait ([`crate::notify`]), bounded in
//! time, and comes back to those that failed after half a minute.
//! [`flush`] waits, bounded, for what was handed off before it was called.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TryRecvError};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use crate::sync::{Condvar, Mutex};

use crate::handoff::Backtrace;
use crate::pipeline::{self, Pipeline};
use crate::report::Report;

/// Reports that may wait in memory for the worker; more wait in the queue on disk.
const CAPACITY: usize = 64;

/// The first pause before sending queued reports again, after GitHub could not take them.
const FIRST_RETRY: Duration = Duration::from_secs(30);

/// The pause before sending failed notifications again when nothing else brings the worker
/// back: a little more than the gap they keep between two attempts.
const NOTIFICATION_RETRY: Duration = Duration::from_secs(crate::notify::RETRY_GAP.as_secs() + 1);

/// The longest pause between two attempts.
const LAST_RETRY: Duration = Duration::from_secs(15 * 60);

/// A report handed off by a failing thread.
#[derive(Debug)]
pub(crate) struct Job {
    pub(crate) pipeline: Arc<Pipeline>,
    pub(crate) report: Report,
    pub(crate) app_crate: String,
    pub(crate) backtrace: Backtrace,
    /// The hand-off file, when the pipeline writes one.
    pub(crate) handoff: Option<std::path::PathBuf>,
}

enum Message {
    Report(Box<Job>),
    /// Send what waits in the queue (at start-up).
    SendWaiting(Arc<Pipeline>),
}

/// The worker could not take a report now: it waits in the queue on disk.
#[derive(Debug)]
pub(crate) struct Overflow;

impl Overflow {
    /// Count a report left in the queue for the worker to find there.
    pub(crate) fn left_on_disk(self) {
        if let Some(worker) = worker() {
            worker.progress.handed.fetch_add(1, Ordering::AcqRel);
            worker.overflowed.fetch_add(1, Ordering::AcqRel);
        }
    }
}

/// How far the worker got: reports handed to it and reports it finished.
#[derive(Debug, Default)]
struct Progress {
    handed: AtomicU64,
    finished: Mutex<u64>,
    changed: Condvar,
}

impl Progress {
    fn finish(&self, count: u64) {
        *self.finished.lock() += count;
        self.changed.notify_all();
    }
}

struct Worker {
    sender: SyncSender<Message>,
    progress: Arc<Progress>,
    /// Reports left on disk because the channel was full, not yet picked up.
    overflowed: Arc<AtomicU64>,
}

static WORKER: OnceLock<Option<Worker>> = OnceLock::new();

/// The worker, started on first use; `None` when no thread could be started (reports then
/// stay in the queue).
fn worker() -> Option<&'static Worker> {
    WORKER
        .get_or_init(|| {
            let (sender, receiver) = mpsc::sync_channel(CAPACITY);
            let progress = Arc::new(Progress::default());
            let overflowed = Arc::new(AtomicU64::new(0));
            let state = (Arc::clone(&progress), Arc::clone(&overflowed));
            std::thread::Builder::new()
                .name("autoheal-reporter".to_string())
                .spawn(move || run(&receiver, &state.0, &state.1))
                .ok()?;
            Some(Worker {
                sender,
                progress,
                overflowed,
            })
        })
        .as_ref()
}

/// Hand `job` to the worker without waiting.
///
/// # Errors
///
/// When the worker is behind by [`CAPACITY`] reports (or could not be started).
pub(crate) fn submit(job: Job) -> Result<(), Overflow> {
    let worker = worker().ok_or(Overflow)?;
    // Counted first, so that a flush right after this sees it.
    worker.progress.handed.fetch_add(1, Ordering::AcqRel);
    match worker.sender.try_send(Message::Report(Box::new(job))) {
        Ok(()) => Ok(()),
        Err(_) => {
            worker.progress.handed.fetch_sub(1, Ordering::AcqRel);
            Err(Overflow)
        }
    }
}

/// Ask the worker to send what waits in `pipeline`'s queue.
pub(crate) fn send_waiting(pipeline: Arc<Pipeline>) {
    if let Some(worker) = worker() {
        let _ = worker.sender.try_send(Message::SendWaiting(pipeline));
    }
}

/// Wait, at most `timeout`, until the worker finished every report handed to it so far.
pub(crate) fn flush(timeout: Duration) -> bool {
    let Some(worker) = WORKER.get().and_then(Option::as_ref) else {
        return true;
    };
    let target = worker.progress.handed.load(Ordering::Acquire);
    let deadline = Instant::now() + timeout;
    let mut finished = worker.progress.finished.lock();
    while *finished < target {
        let (guard, timed_out) = worker.progress.changed.wait_until(finished, deadline);
        finished = guard;
        if timed_out {
            return *finished >= target;
        }
    }
    true
}

/// What waits in the queue after an attempt to send it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Backlog {
    /// Nothing GitHub could take now (or nothing at all).
    Empty,
    /// Reports went and more wait: go on at once.
    More,
    /// GitHub could not be reached (or asked to wait): try again after a pause.
    Unreachable,
}

/// The worker's loop: reports first, then what waits in the queue when it fell behind, then,
/// while GitHub could not take everything, another attempt after a pause.
fn run(receiver: &Receiver<Message>, progress: &Progress, overflowed: &AtomicU64) {
    // When to try the queue again, and the pause that led there.
    let mut retry: Option<(Instant, Duration)> = None;
    // A message taken while looking whether the channel was empty.
    let mut next: Option<Message> = None;
    loop {
        let message = match (next.take(), retry) {
            (Some(message), _) => Some(message),
            (None, retry) => match retry {
                Some((at, _)) => {
                    match receiver.recv_timeout(at.saturating_duration_since(Instant::now())) {
                        Ok(message) => Some(message),
                        Err(RecvTimeoutError::Timeout) => None,
                        Err(RecvTimeoutError::Disconnected) => return,
                    }
                }
                None => match receiver.recv() {
                    Ok(message) => Some(message),
                    Err(_) => return,
                },
            },
        };
        // Notifications are sent after GitHub's answer, bounded in time; those that failed
        // bring the worker back after the retry gap.
        let mut notifications_wait = false;
        let backlog = match message {
            Some(Message::Report(job)) => {
                let pipeline = Arc::clone(&job.pipeline);
                let backlog = process(*job, retry.is_some());
                // Before `flush` returns, so a short-lived program sends them too.
                notifications_wait = pipeline.send_notifications();
                progress.finish(1);
                backlog
            }
            Some(Message::SendWaiting(pipeline)) => {
                let backlog = guarded_send_waiting(&pipeline, false);
                notifications_wait = pipeline.send_notifications();
                backlog
            }
            // Time to try the queue again, with whatever is installed now.
            None => pipeline::active().map_or(Backlog::Empty, |p| {
                let backlog = guarded_send_waiting(&p, false);
                notifications_wait = p.send_notifications();
                backlog
            }),
        };
        // What the program does not wait for: the diagnosis rules of the failures recorded.
        let _ = crate::capture::guarded(crate::history::record_pending_rules);
        // Reports left on disk while the channel was full: picked up once it is empty.
        if overflowed.load(Ordering::Acquire) > 0 {
            match receiver.try_recv() {
                Ok(message) => next = Some(message),
                Err(TryRecvError::Empty) => {
                    let picked = overflowed.swap(0, Ordering::AcqRel);
                    if let Some(pipeline) = pipeline::active() {
                        guarded_send_waiting(&pipeline, true);
                    }
                    progress.finish(picked);
                }
                Err(TryRecvError::Disconnected) => return,
            }
        }
        retry = match backlog {
            Backlog::Empty if notifications_wait => {
                Some((Instant::now() + NOTIFICATION_RETRY, FIRST_RETRY))
            }
            Backlog::Empty => None,
            Backlog::More => Some((Instant::now(), FIRST_RETRY)),
            Backlog::Unreachable => {
                let pause = retry.map_or(FIRST_RETRY, |(_, pause)| (pause * 2).min(LAST_RETRY));
                Some((Instant::now() + pause, pause))
            }
        };
    }
}

fn guarded_send_waiting(pipeline: &Pipeline, own: bool) -> Backlog {
    crate::capture::guarded(|| pipeline.send_waiting(own)).unwrap_or(Backlog::Empty)
}

/// Settle and deliver one handed-off report; [`last_delivery`](crate::last_delivery) then says
/// where it went. `backlog` says whether older reports wait for GitHub.
fn process(job: Job, backlog: bool) -> Backlog {
    let Job {
        pipeline,
        report,
        app_crate,
        backtrace,
        handoff,
    } = job;
    if handoff.as_ref().is_some_and(|path| !path.exists()) {
        // Picked up from the queue meanwhile (the worker fell behind), or sent by `flush`.
        return Backlog::Empty;
    }
    let delivered = crate::capture::guarded(|| {
        pipeline.settle_and_deliver(report, &app_crate, backtrace, handoff.as_deref())
    });
    let Some(delivery) = delivered else {
        pipeline.debug("sending a report panicked inside autoheal; it stays queued");
        return Backlog::Empty;
    };
    pipeline::delivered(&delivery);
    match delivery.outcome {
        crate::Outcome::Queued { .. } => Backlog::Unreachable,
        // GitHub took this one: what waited for it can go now.
        _ if backlog => Backlog::More,
        _ => Backlog::Empty,
    }
}
