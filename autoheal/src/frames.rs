//! The report-once rule: which annotated frame reports a failure.
//!
//! Each thread keeps the depth of the annotated frames running on it. A frame that returns
//! `Err` captures the failure; if it is not the outermost annotated frame, the capture is
//! handed to its caller (the "owner") instead of being reported. A caller that returns `Err`
//! too takes the capture over and passes it on; a caller that returns `Ok` drops it. Only the
//! outermost frame reports.
//!
//! # Which error takes a capture over
//!
//! A handed-over capture stands for one error value in transit: returned by the callee and,
//! if the caller propagates it with `?` (as is, converted with `From`, or wrapped with
//! context), returned by the caller before the caller does anything else. It is taken over
//! only while that can still be so, and only by an error that carries it:
//!
//! - The capture is dropped as soon as the caller is seen doing something else: when any
//!   annotated function it calls afterwards returns (with `Ok`, or unwinds; one that returns
//!   `Err` hands over its own capture in its place), and, for an `async fn`, when it waits
//!   (its poll returns `Pending`) while holding it. A `?` returns at once, so neither happens
//!   to an error being propagated; a caller that recovered (`.unwrap_or_default()`, a `match`)
//!   and goes on to call or await anything annotated has let it go.
//! - The caller's own `Err` takes it over only if it carries the callee's error, judged on
//!   the error's structure, never on a search in its text: the same message and causes (the
//!   error itself, or converted by `From` into `Box<dyn Error>`, `anyhow::Error` or a
//!   transparent wrapper), or the callee's message and causes as the last causes of the
//!   caller's `source()` chain (wrapped with context, or by a `#[from]`/`#[source]` variant).
//!   Anything else — an error of the caller's own, or one that only quotes the callee's text
//!   (`format!("...: {e}")`) — is captured afresh at the caller's site.
//!
//! What no running program can tell apart without seeing the `?` itself: a caller that
//! recovers and then, before calling or awaiting anything annotated, fails in its own code
//! with an error equal to the recovered one (the same `io::Error` from the OS, say). The two
//! values are identical; the report then names the callee's site. Errors are values that
//! move, so their addresses say nothing, and a freed error's memory is soon reused by the
//! next one of the same size.
//!
//! Async functions carry this state inside their future ([`AsyncFrame`]) and install it on
//! whichever thread polls them, so the rule holds across the threads of a multi-thread runtime.
//! A spawned task is first polled outside any annotated frame, so it is its own boundary.
//!
//! The success path touches one thread-local pair of integers and nothing else.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::capture::Capture;
use crate::report::ErrorDetails;
use crate::site::SiteInfo;

/// The annotated frames on this thread: how deep, and which frame holds a handed-over capture.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Depths {
    /// Annotated frames currently running (0: none).
    depth: u32,
    /// Depth of the frame holding a capture from a callee (0: none held).
    owner: u32,
}

impl Depths {
    /// Whether the frame at `depth`, exiting, ends the life of a held capture: the holder
    /// itself, or any frame it called. One comparison when nothing is held (`owner` 0 wraps
    /// to the largest depth).
    #[inline(always)]
    fn exit_concerns_held(self, depth: u32) -> bool {
        self.owner.wrapping_sub(1) < depth
    }
}

thread_local! {
    static DEPTHS: Cell<Depths> = const { Cell::new(Depths { depth: 0, owner: 0 }) };
    static HELD: Cell<Option<Box<Capture>>> = const { Cell::new(None) };
    /// Depth of the frame that has just handed its capture to its caller and not yet exited
    /// (0: none). Set and cleared within the same call (or poll), so it is never carried.
    static HANDING_OVER: Cell<u32> = const { Cell::new(0) };
}

/// Run the body of an annotated synchronous function, given as a closure. Inlined into the
/// function, so it costs nothing; in a backtrace it stands (as an inlined frame) between the
/// function and the closure that holds its body, and so tells that closure from one of the
/// user's own (see `body_frames`).
#[inline(always)]
pub fn run_sync_body<R>(body: impl FnOnce() -> R) -> R {
    body()
}

/// One running annotated function. Created on entry, dropped on exit (also when unwinding).
#[derive(Debug)]
pub struct Frame {
    depth: u32,
}

impl Frame {
    /// Enter an annotated function.
    #[inline(always)]
    pub fn enter() -> Frame {
        let mut depths = DEPTHS.get();
        depths.depth += 1;
        DEPTHS.set(depths);
        Frame {
            depth: depths.depth,
        }
    }

    /// The function is returning `Err` with these details: capture it, or take over the
    /// capture a callee handed over, then report it here or hand it to the caller.
    #[cold]
    #[inline(never)]
    pub fn fail(&self, site: &'static SiteInfo, details: impl FnOnce() -> ErrorDetails) {
        if crate::capture::is_busy() {
            return;
        }
        let Some(settings) = crate::pipeline::capture_settings() else {
            crate::pipeline::forget_last_delivery();
            return;
        };
        let depths = DEPTHS.get();
        let held = if depths.owner == self.depth {
            HELD.take()
        } else {
            None
        };
        let Some(error) = crate::capture::guarded(details) else {
            return;
        };
        let capture = match held {
            Some(mut capture) if capture.is_carried_by(&error) => {
                capture.passed_through(site, error);
                capture
            }
            _ => Box::new(Capture::at(site, error, settings.backtrace)),
        };
        if self.depth <= 1 {
            DEPTHS.set(Depths { owner: 0, ..depths });
            crate::pipeline::report(*capture);
        } else {
            DEPTHS.set(Depths {
                owner: self.depth - 1,
                ..depths
            });
            HELD.set(Some(capture));
            HANDING_OVER.set(self.depth);
        }
    }
}

impl Drop for Frame {
    #[inline(always)]
    fn drop(&mut self) {
        let depths = DEPTHS.get();
        DEPTHS.set(Depths {
            depth: self.depth - 1,
            owner: depths.owner,
        });
        if depths.exit_concerns_held(self.depth) {
            exit_while_held(self.depth);
        }
    }
}

/// A frame exits while a capture is held by it or by one of its callers. The capture lives on
/// only if this frame is the one that just handed it over; otherwise its holder is returning
/// `Ok` (it recovered) or went on to call another annotated function after receiving it (see
/// the module docs), and it is dropped.
#[cold]
#[inline(never)]
fn exit_while_held(depth: u32) {
    if HANDING_OVER.get() == depth {
        HANDING_OVER.set(0);
        return;
    }
    drop_held();
}

/// Let the held capture go: nothing will take it over.
#[cold]
#[inline(never)]
fn drop_held() {
    let depths = DEPTHS.get();
    DEPTHS.set(Depths { owner: 0, ..depths });
    drop(HELD.take());
}

pin_project_lite::pin_project! {
    /// The future of an annotated `async fn`: runs the function's body with its frame entered,
    /// hands the body's result to the frame's check once it is ready, and carries the frame
    /// state from poll to poll, across threads.
    ///
    /// Entering the frame on the first poll and checking the result on the last here, rather
    /// than in an `async` block of the expansion, spares every poll one state machine.
    #[derive(Debug)]
    pub struct AsyncFrame<F, I> {
        #[pin]
        inner: F,
        state: Option<Carried>,
        frame: Option<Frame>,
        inspect: Option<I>,
    }
}

/// Frame state carried by an [`AsyncFrame`] between polls.
#[derive(Debug, Default)]
pub(crate) struct Carried {
    depths: Depths,
    held: Option<Box<Capture>>,
}

impl<F, I> AsyncFrame<F, I>
where
    F: Future,
    I: FnOnce(&Frame, F::Output) -> F::Output,
{
    /// Wrap the body of an annotated `async fn`; `inspect` checks its result (and hands an
    /// `Err` to the frame) before the function returns it.
    #[inline(always)]
    pub fn new(inner: F, inspect: I) -> Self {
        AsyncFrame {
            inner,
            state: None,
            frame: None,
            inspect: Some(inspect),
        }
    }
}

impl<F, I> Future for AsyncFrame<F, I>
where
    F: Future,
    I: FnOnce(&Frame, F::Output) -> F::Output,
{
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        // First poll: nest under whatever annotated frame is polling us on this thread.
        let state = this.state.get_or_insert_with(|| Carried {
            depths: Depths {
                depth: DEPTHS.get().depth,
                owner: 0,
            },
            held: None,
        });
        let mut outer = SetAside::install(state);
        let unwinding = RestoreOnUnwind(&mut outer);
        let frame = this.frame.get_or_insert_with(Frame::enter);
        match this.inner.poll(cx) {
            Poll::Pending => {
                std::mem::forget(unwinding);
                outer.restore_into(state);
                // Emptied by `restore_into`: forgetting it spares a call to drop nothing.
                std::mem::forget(outer);
                Poll::Pending
            }
            Poll::Ready(output) => {
                let output = match this.inspect.take() {
                    Some(inspect) => inspect(frame, output),
                    None => output,
                };
                // The function returns: its frame exits, then the thread gets its own state
                // back with whatever capture the frame handed over.
                drop(this.frame.take());
                std::mem::forget(unwinding);
                outer.hand_over();
                std::mem::forget(outer);
                Poll::Ready(output)
            }
        }
    }
}

/// The polling thread's own frame state, set aside while an [`AsyncFrame`] is polled.
struct SetAside {
    depths: Depths,
    held: Option<Box<Capture>>,
}

/// Gives the thread its own state back if the inner future's poll unwinds. A poll that
/// returns forgets it, so the common path runs no drop code and never moves [`SetAside`]
/// as a whole (a copy of it that straddled the two stores that filled it cost more than the
/// rest of the poll).
struct RestoreOnUnwind<'a>(&'a mut SetAside);

impl Drop for RestoreOnUnwind<'_> {
    fn drop(&mut self) {
        DEPTHS.set(self.0.depths);
        HELD.set(self.0.held.take());
    }
}

impl SetAside {
    #[inline(always)]
    fn install(state: &mut Carried) -> SetAside {
        let depths = DEPTHS.replace(state.depths);
        let held = if depths.owner != 0 || state.held.is_some() {
            HELD.replace(state.held.take())
        } else {
            None
        };
        SetAside { depths, held }
    }

    /// The future is pending: keep its state with it, give the thread its own back. Leaves
    /// `self` empty.
    ///
    /// A capture its frame holds is dropped: the frame waits for something after a callee
    /// failed, so it is not propagating that failure with `?` (see the module docs).
    #[inline(always)]
    fn restore_into(&mut self, state: &mut Carried) {
        let carried = DEPTHS.replace(self.depths);
        state.depths = carried;
        if carried.owner != 0 || self.held.is_some() {
            let held = HELD.replace(self.held.take());
            if carried.owner != 0 {
                state.depths.owner = 0;
                drop(held);
            } else {
                state.held = held;
            }
        }
    }

    /// The future is done: its frame has exited. Give the thread its own state back, plus a
    /// capture the frame handed over to whoever awaited it. Leaves `self` empty.
    ///
    /// A capture the thread held before is dropped either way: its holder went on to await
    /// an annotated function after receiving it, so it is not propagating it with `?` (as a
    /// synchronous frame's exit drops it in [`Frame`]'s `drop`).
    #[inline(always)]
    fn hand_over(&mut self) {
        let finished = DEPTHS.replace(self.depths);
        if finished.owner != 0 {
            let capture = HELD.take();
            DEPTHS.set(Depths {
                depth: self.depths.depth,
                owner: finished.owner,
            });
            HELD.set(capture);
        } else if self.depths.owner != 0 {
            DEPTHS.set(Depths {
                owner: 0,
                ..self.depths
            });
        }
        drop(self.held.take());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pending on its first poll, panics on the second.
    struct PanicsWhenPolledAgain {
        polled: bool,
    }

    impl Future for PanicsWhenPolledAgain {
        type Output = Result<(), String>;

        fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
            assert!(!self.polled, "polled again");
            self.polled = true;
            Poll::Pending
        }
    }

    /// The future itself stays alive after the unwinding poll (an `async fn` around it would
    /// drop it, and its frame with it): only the poll's own guard can give the thread its
    /// state back.
    #[test]
    fn a_poll_that_unwinds_gives_the_thread_its_state_back() {
        let before = DEPTHS.get();
        let mut context = Context::from_waker(std::task::Waker::noop());
        let mut future = std::pin::pin!(AsyncFrame::new(
            PanicsWhenPolledAgain { polled: false },
            |_: &Frame, output: Result<(), String>| output,
        ));
        assert!(future.as_mut().poll(&mut context).is_pending());
        assert_eq!(DEPTHS.get(), before);
        let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = future.as_mut().poll(&mut context);
        }));
        assert!(unwound.is_err());
        assert_eq!(DEPTHS.get(), before);
    }
}
