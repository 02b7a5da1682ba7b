//! Process-wide tuning of the C allocator (glibc), set once before any work.
//!
//! glibc serves allocations of 128 KiB and more with their own `mmap` and gives them back
//! on free, but it raises that threshold to the size of each such block freed, up to
//! 32 MiB. After the first 4 MiB reading buffer is freed, every vector of the detectors
//! and the scanner's per-chunk lists below 4 MiB comes from the heaps instead, and what
//! they free stays in the process, spread over the threads' heaps. A fixed threshold keeps
//! large, short-lived vectors out of the heaps: on the 1 GiB reference corpus the peak
//! resident size falls from about 104 MiB to 97 MiB, at the same speed (BENCHMARKS.md).

/// Allocations from this size on get their own mapping, returned to the system on free.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 256 << 10;

/// Fixes glibc's `mmap` threshold (see the module docs); nothing elsewhere.
pub fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only changes the allocator's parameters; it is called before any
    // other thread exists, and a failure (return value 0) leaves the defaults in place.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
    }
}
