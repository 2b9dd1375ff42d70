//! The report-once rule: which annotated frame reports a failure.
//!
//! Each thread keeps the depth of the annotated frames running on it. A frame that returns
//! `Err` captures the failure; if it is not the outermost annotated frame, the capture is
//! handed to its caller (the "owner") instead of being reported. A caller that returns `Err`
//! too takes the capture over and passes it on; a caller that returns `Ok` drops it. Only the
//! outermost frame reports.
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

thread_local! {
    static DEPTHS: Cell<Depths> = const { Cell::new(Depths { depth: 0, owner: 0 }) };
    static HELD: Cell<Option<Box<Capture>>> = const { Cell::new(None) };
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
            Some(mut capture) if capture.is_propagated_as(&error) => {
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
        if depths.owner >= self.depth {
            drop_unclaimed();
        }
    }
}

/// The frame returned `Ok` (or unwound) while holding a callee's capture: it recovered, so the
/// capture is dropped.
#[cold]
#[inline(never)]
fn drop_unclaimed() {
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
    #[inline(always)]
    fn restore_into(&mut self, state: &mut Carried) {
        let carried = DEPTHS.replace(self.depths);
        state.depths = carried;
        if carried.owner != 0 || self.held.is_some() {
            state.held = HELD.replace(self.held.take());
        }
    }

    /// The future is done: its frame has exited. Give the thread its own state back, plus a
    /// capture the frame handed over to whoever awaited it. Leaves `self` empty.
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
            // One the thread held before is superseded by the awaited frame's.
            drop(self.held.take());
        } else if self.depths.owner != 0 {
            HELD.set(self.held.take());
        } else {
            drop(self.held.take());
        }
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
