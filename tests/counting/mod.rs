//! A counting `#[global_allocator]` for the tests that assert allocations
//! (`tests/allocations.rs`, `tests/no_alloc.rs`): per thread, so tests can
//! run in parallel, it counts allocations against whoever [`as_side`] says
//! is running (nobody by default) and tracks the bytes live.
//!
//! A test binary installs it with
//! `#[global_allocator] static GLOBAL: counting::Counting = counting::Counting;`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Nobody in particular: what runs outside [`as_side`].
pub const NOBODY: usize = 0;
/// A client connection's calls.
pub const CLIENT: usize = 1;
/// A server connection's calls.
pub const SERVER: usize = 2;

thread_local! {
    static WHO: Cell<usize> = const { Cell::new(NOBODY) };
    static COUNTS: Cell<[u64; 3]> = const { Cell::new([0; 3]) };
    static LIVE: Cell<i64> = const { Cell::new(0) };
    /// The sizes of the first allocations counted against a side, for
    /// [`sizes`] (a fixed array: recording must not allocate).
    static SIZES: Cell<([usize; 32], usize)> = const { Cell::new(([0; 32], 0)) };
}

pub struct Counting;

fn count(size: usize) {
    // `try_with`: allocations during thread teardown are not counted.
    let _ = WHO.try_with(|who| {
        let _ = COUNTS.try_with(|c| {
            let mut counts = c.get();
            counts[who.get()] += 1;
            c.set(counts);
        });
        if who.get() != NOBODY {
            let _ = SIZES.try_with(|s| {
                let (mut sizes, n) = s.get();
                if let Some(slot) = sizes.get_mut(n) {
                    *slot = size;
                    s.set((sizes, n + 1));
                }
            });
        }
    });
}

fn grow(by: i64) {
    let _ = LIVE.try_with(|c| c.set(c.get() + by));
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        grow(layout.size() as i64);
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        grow(layout.size() as i64);
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        grow(-(layout.size() as i64));
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size);
        grow(new_size as i64 - layout.size() as i64);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Runs `f` as `who`: what it allocates is counted against them.
#[allow(dead_code)]
pub fn as_side<T>(who: usize, f: impl FnOnce() -> T) -> T {
    let before = WHO.with(|w| w.replace(who));
    let out = f();
    WHO.with(|w| w.set(before));
    out
}

/// This thread's allocations so far, whoever made them.
#[allow(dead_code)]
pub fn allocs() -> u64 {
    COUNTS.with(Cell::get).iter().sum()
}

/// The sizes of the allocations counted against either side since the
/// last call (the first 32).
#[allow(dead_code)]
pub fn sizes() -> Vec<usize> {
    let (sizes, n) = SIZES.with(|s| s.replace(([0; 32], 0)));
    sizes[..n].to_vec()
}

/// The client's and the server's allocations since the last call.
#[allow(dead_code)]
pub fn take_counts() -> (u64, u64) {
    let counts = COUNTS.with(|c| c.replace([0; 3]));
    (counts[CLIENT], counts[SERVER])
}

/// The heap `conn` holds: what dropping it (boxed, so that its own struct
/// counts) frees. Configurations are shared and outlive it.
pub fn held_by<T>(conn: T) -> i64 {
    let boxed = Box::new(conn);
    let before = LIVE.with(Cell::get);
    drop(boxed);
    before - LIVE.with(Cell::get)
}
