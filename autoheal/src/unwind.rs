//! Walking the stack: the return addresses of the current thread's frames, innermost first,
//! from the system unwinder that panics already use (`_Unwind_Backtrace`, from `libgcc_s` or
//! LLVM's libunwind, which std links on every Unix).
//!
//! Nothing here looks a symbol up, allocates or takes a lock: the buffer is reserved before
//! the walk, which stops when it is full.

// The unwinder's C interface: two functions, a callback and an opaque context.
#![allow(unsafe_code)]

use std::ffi::{c_int, c_void};

/// The unwinder's state for one frame; only ever handled through a pointer.
#[repr(C)]
struct UnwindContext {
    _opaque: [u8; 0],
}

/// `_URC_NO_REASON`: go on to the next frame.
const CONTINUE: c_int = 0;
/// `_URC_END_OF_STACK`: stop the walk.
const STOP: c_int = 5;

type TraceCallback = extern "C" fn(context: *mut UnwindContext, state: *mut c_void) -> c_int;

unsafe extern "C" {
    fn _Unwind_Backtrace(callback: TraceCallback, state: *mut c_void) -> c_int;
    fn _Unwind_GetIP(context: *mut UnwindContext) -> usize;
}

/// The return addresses of at most `limit` frames of the calling thread, innermost first
/// (this function's own frame included, as the `backtrace` crate includes its own).
#[inline(never)]
pub(crate) fn return_addresses(limit: usize) -> Vec<usize> {
    let mut addresses: Vec<usize> = Vec::with_capacity(limit);
    // SAFETY: `_Unwind_Backtrace` calls `record` once per frame, on this thread, before it
    // returns, with the pointer given here; `addresses` outlives the call and nothing else
    // touches it meanwhile.
    unsafe {
        _Unwind_Backtrace(record, (&raw mut addresses).cast());
    }
    addresses
}

/// One frame of the walk: keep its return address while there is room. Never panics (it is
/// called from C) and never grows the buffer.
extern "C" fn record(context: *mut UnwindContext, state: *mut c_void) -> c_int {
    // SAFETY: `state` is the `&mut Vec<usize>` that `return_addresses` passed, alive and
    // not otherwise borrowed during the walk; `context` is the unwinder's own for this frame.
    let (addresses, address) =
        unsafe { (&mut *state.cast::<Vec<usize>>(), _Unwind_GetIP(context)) };
    if address == 0 {
        return STOP;
    }
    if addresses.len() < addresses.capacity() {
        addresses.push(address);
    }
    if addresses.len() < addresses.capacity() {
        CONTINUE
    } else {
        STOP
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[inline(never)]
    fn two_calls_deep() -> Vec<usize> {
        std::hint::black_box(one_call_deep())
    }

    #[inline(never)]
    fn one_call_deep() -> Vec<usize> {
        std::hint::black_box(return_addresses(64))
    }

    #[test]
    fn the_walk_sees_the_callers_and_stops_at_the_limit() {
        let addresses = two_calls_deep();
        assert!(addresses.len() > 3, "{addresses:x?}");
        assert!(addresses.iter().all(|&a| a != 0));
        assert_eq!(return_addresses(2).len(), 2);
        // Walked again through the same functions: the same addresses up to this test's own
        // frame, whose call site differs.
        let again = two_calls_deep();
        assert_eq!(addresses.get(..3), again.get(..3));
        assert_ne!(addresses.get(3), again.get(3));
    }

    /// Both walks from one function: the system unwinder here and the `backtrace` crate.
    #[inline(never)]
    fn walked_both_ways() -> (Vec<usize>, Vec<usize>) {
        let ours = return_addresses(256);
        let mut theirs = Vec::new();
        backtrace::trace(|frame| {
            // It reports the unwinder's end-of-stack marker as a frame at 0; ours stops there.
            if !frame.ip().is_null() {
                theirs.push(frame.ip() as usize);
            }
            true
        });
        std::hint::black_box((ours, theirs))
    }

    #[test]
    fn the_walk_gives_the_addresses_the_backtrace_crate_gives() {
        let (ours, theirs) = walked_both_ways();
        // Alike from the caller of `walked_both_ways` up: below it, each walk sees its own
        // frames and its own call site.
        let common = ours
            .iter()
            .rev()
            .zip(theirs.iter().rev())
            .take_while(|(a, b)| a == b)
            .count();
        assert!(common >= 3, "{ours:x?}\n{theirs:x?}");
        assert_eq!(common, ours.len() - 2, "{ours:x?}\n{theirs:x?}");
    }
}
